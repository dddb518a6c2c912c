// The live feed: the Vert.x event-bus bridge over SockJS at /eventbus. Registering for
// dockup.events brings a snapshot first, then changes. When the connection drops, it is opened
// again with exponential backoff, and the new registration brings a fresh snapshot.

const ADDRESS = 'dockup.events';
const MIN_DELAY = 500;
const MAX_DELAY = 15000;
/** A connection not open by then is given up and tried again (SockJS may wait long on a dead transport). */
const OPEN_TIMEOUT = 10000;

export class Feed {
  /**
   * @param store     the Store the messages go to
   * @param onState   fn({state: 'connecting'|'live'|'offline', retryAt?}) for the indicator
   * @param onRefused fn() when the server refuses the feed's credential (the session ended)
   */
  constructor(store, onState, onRefused) {
    this.store = store;
    this.onState = onState;
    this.onRefused = onRefused;
    this.attempt = 0;
    this.timer = null;
    this.bus = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.openTimer);
    this.timer = null;
    const bus = this.bus;
    this.bus = null;
    if (bus) {
      bus.onclose = null;
      try { bus.close(); } catch { /* already closed */ }
    }
  }

  connect() {
    if (this.stopped) return;
    this.onState({ state: 'connecting' });
    // window.EventBus is the UMD global of @vertx/eventbus-bridge-client.js, which needs window.SockJS.
    const bus = new window.EventBus('/eventbus', { vertxbus_ping_interval: 10000 });
    this.bus = bus;
    clearTimeout(this.openTimer);
    this.openTimer = setTimeout(() => {
      if (this.bus !== bus) return;
      this.bus = null;
      bus.onclose = null;
      try { bus.close(); } catch { /* not open */ }
      this.retry();
    }, OPEN_TIMEOUT);
    bus.onopen = () => {
      if (this.bus !== bus) return;
      clearTimeout(this.openTimer);
      this.attempt = 0;
      this.store.beginSnapshot();
      bus.registerHandler(ADDRESS, {}, (err, msg) => {
        if (err || !msg || !msg.body) return;
        this.store.apply(typeof msg.body === 'string' ? JSON.parse(msg.body) : msg.body);
      });
      this.onState({ state: 'live' });
    };
    bus.onerror = () => { /* the close that follows schedules the retry */ };
    bus.onclose = (e) => {
      if (this.bus !== bus) return;
      clearTimeout(this.openTimer);
      this.bus = null;
      this.store.endSnapshot();
      if (this.stopped) return;
      this.retry();
      // SockJS reports a refused handshake (401/403 on /eventbus/info) as close code 1002.
      if (e && e.code === 1002) this.onRefused();
    };
  }

  retry() {
    const delay = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.onState({ state: 'offline', retryAt: Date.now() + delay });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Try again now (the user pressed "Reconnect", or the page became visible). */
  reconnectNow() {
    if (this.bus || this.stopped) return;
    clearTimeout(this.timer);
    this.connect();
  }
}
