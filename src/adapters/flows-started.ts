// Node-RED's event bus (RED.events) is one EventEmitter for the whole runtime, with Node's default limit of 10
// listeners per event. A listener per deployed node would pass it with the 11th node (MaxListenersExceededWarning),
// so the nodes of this package share one "flows:started" listener per bus, added with the first and removed with the last.
import type { RuntimeEvents } from "./node-red-types";

const EVENT = "flows:started";

interface Subscribers {
  handlers: Set<() => void>;
  dispatch: () => void;
}

const byBus = new WeakMap<RuntimeEvents, Subscribers>();

/** Calls `handler` after every (re)start of the flows; returns the function that stops it. */
export function onFlowsStarted(events: RuntimeEvents, handler: () => void): () => void {
  let subscribers = byBus.get(events);
  if (!subscribers) {
    const handlers = new Set<() => void>();
    // A copy: a handler may subscribe or unsubscribe others while they are being called.
    const dispatch = (): void => {
      for (const h of [...handlers]) h();
    };
    subscribers = { handlers, dispatch };
    byBus.set(events, subscribers);
    events.on(EVENT, dispatch);
  }
  const own = subscribers;
  const subscription = (): void => handler(); // the same handler may subscribe twice
  own.handlers.add(subscription);
  return () => {
    if (!own.handlers.delete(subscription) || own.handlers.size > 0) return;
    events.removeListener(EVENT, own.dispatch);
    if (byBus.get(events) === own) byBus.delete(events);
  };
}
