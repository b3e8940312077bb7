import { getContext, setContext } from 'svelte';

const KEY = Symbol('simulated');

/** Marks every chart and card below the calling component as showing the simulated server. */
export function markSimulated(simulated: () => boolean): void {
  setContext(KEY, simulated);
}

/** Whether the calling component sits under a panel of the simulated server. */
export function isSimulated(): () => boolean {
  return getContext<(() => boolean) | undefined>(KEY) ?? (() => false);
}
