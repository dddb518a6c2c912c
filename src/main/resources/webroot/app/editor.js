// CodeMirror 6 with YAML, loaded only when an editor opens: the compose editor (with the
// server's validation error shown at its line) and the read-only diff shown before saving.
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, HighlightStyle, indentOnInput, bracketMatching } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { tags } from '@lezer/highlight';

// Colours from the page's CSS variables, so one style serves the light and the dark theme.
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--hl-key)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--hl-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--hl-number)' },
  { tag: [tags.comment, tags.lineComment], color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: [tags.meta, tags.keyword, tags.typeName, tags.labelName], color: 'var(--hl-meta)' },
]);

const theme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--bg-input)', fontSize: '13px', border: '1px solid var(--border)', borderRadius: '6px' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '1px' },
  '.cm-content': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--bg-soft)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--bg-active)' },
  '.cm-scroller': { minHeight: '12rem', maxHeight: '60vh' },
  '.cm-deletedChunk, .cm-deletedLine': { backgroundColor: 'var(--diff-del)' },
  '.cm-changedLine, .cm-insertedLine': { backgroundColor: 'var(--diff-add)' },
});

const base = [lineNumbers(), highlightActiveLineGutter(), drawSelection(), highlightActiveLine(), indentOnInput(),
  bracketMatching(), yaml(), syntaxHighlighting(highlight), theme];

/** An editable YAML editor; `label` names it for screen readers. */
export function createEditor(parent, doc, { label, readOnly = false, onChange } = {}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [...base, history(), lintGutter(), keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of({ 'aria-label': label || 'Editor', 'aria-multiline': 'true' }),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); })],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    set: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    /** The server's complaint at its line (1-based), or at the top when it named none. */
    showError(message, line) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(1, line || 1), doc.lines));
      view.dispatch(setDiagnostics(view.state, [{ from: l.from, to: l.to, severity: 'error', message }]));
      view.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
    },
    clearErrors: () => view.dispatch(setDiagnostics(view.state, [])),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

/** A read-only unified diff of `original` → `changed`. */
export function createDiff(parent, original, changed) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: changed,
      extensions: [...base, EditorState.readOnly.of(true), EditorView.editable.of(false),
        EditorView.contentAttributes.of({ 'aria-label': 'Changes to the compose file' }),
        unifiedMergeView({ original, mergeControls: false, gutter: true })],
    }),
  });
  return { destroy: () => view.destroy() };
}
