// Loaded first, as a classic script. Chromium fails requests in flight when the host's network
// changes, even requests to this origin on loopback, and Docker adds and removes bridges as
// stacks start and stop: a page opened on the Docker host itself can lose one of its scripts
// and stay on "Loading DockUp…". Such a page reloads itself, three times a minute at most.
(() => {
  const KEY = 'dockup.bootReloads';
  let scheduled = false;

  function reload() {
    if (scheduled) return;
    let recent = [];
    try {
      recent = JSON.parse(sessionStorage.getItem(KEY) || '[]').filter((t) => Date.now() - t < 60000);
    } catch { /* no storage: still worth one try */ }
    if (recent.length >= 3) return;
    scheduled = true;
    try {
      sessionStorage.setItem(KEY, JSON.stringify([...recent, Date.now()]));
    } catch { /* ignored */ }
    setTimeout(() => location.reload(), 400 * (recent.length + 1));
  }

  // Resource errors do not bubble: listen in the capture phase.
  window.addEventListener('error', (e) => {
    const el = e.target;
    if (el && (el.tagName === 'SCRIPT' || (el.tagName === 'LINK' && el.rel !== 'icon'))) reload();
  }, true);
})();
