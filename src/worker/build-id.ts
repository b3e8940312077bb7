declare const __LLAMADASH_BUILD__: string | undefined;

/**
 * This build's id (vite.config.ts defines it), carried by every message between the tabs so that a tab
 * of one deploy does not serve or call a tab of another. Unit tests in Node run unbuilt: 'unbuilt'.
 */
export const BUILD_ID: string = typeof __LLAMADASH_BUILD__ === 'string' ? __LLAMADASH_BUILD__ : 'llamadash-build:unbuilt';

/** The part of a build id a person can read (version and time), for messages. */
export const buildLabel = (id: string) => id.replace(/^llamadash-build:/, '');
