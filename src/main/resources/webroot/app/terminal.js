// xterm 6 with its fit add-on, loaded only when a stack page opens its terminal.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

const base = document.querySelector('dockup-app').dataset.base;
if (!document.querySelector('link[data-xterm]')) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = `${base}vendor/@xterm/xterm@6.0.0/css/xterm.css`;
  link.dataset.xterm = '';
  document.head.append(link);
}

function theme() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { background: v('--term-bg'), foreground: v('--term-fg'), cursor: v('--term-bg'), selectionBackground: v('--focus') };
}

/** A read-only terminal in `parent`; `write(line)` adds one line, `setTheme()` follows the page's theme. */
export function createTerminal(parent) {
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const term = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    cursorStyle: 'underline',
    scrollback: 5000,
    rows: 12,
    fontSize: 13,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    smoothScrollDuration: reduced ? 0 : 80,
    theme: theme(),
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(parent);
  const refit = () => {
    try { fit.fit(); } catch { /* hidden */ }
  };
  refit();
  const observer = new ResizeObserver(refit);
  observer.observe(parent);
  return {
    write: (line) => term.writeln(line),
    setTheme: () => { term.options.theme = theme(); },
    dispose: () => {
      observer.disconnect();
      term.dispose();
    },
    text: () => {
      const buf = term.buffer.active;
      const out = [];
      for (let i = 0; i < buf.length; i += 1) out.push(buf.getLine(i)?.translateToString(true) ?? '');
      return out.join('\n');
    },
  };
}
