package dev.dockup.stack;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Loads YAML with the limits snakeyaml-engine 3.2 does not have, counted on the parser's events
 * as its composer pulls them, so a hostile document is refused before anything is built from
 * it: nesting depth (the composer recurses once per level: 3,000 nested {@code [} overflow the
 * stack), nodes after alias expansion (50 aliases can stand for 2^50 nodes, and the compose CLI
 * expands every one of them), aliases of a collection that is still open (a cycle), and chains
 * of merge keys ({@code <<}). The library's own limits (size, aliases per document) still apply.
 */
final class BoundedYaml {
  static final int MAX_DEPTH = 64;
  static final long MAX_NODES = 100_000;
  /** The compose CLI spends far more on an aliased node than on a written one: they get their own, lower bound. */
  static final long MAX_ALIASED_NODES = 10_000;
  static final int MAX_MERGE_CHAIN = 10;
  static final int MAX_ALIASES = 50;

  private BoundedYaml() {}

  /** A document refused by one of the limits; {@code line} is 1-based, or null. */
  static final class Refused extends RuntimeException {
    private final Integer line;

    Refused(String message, Optional<Mark> mark) {
      super(message, null, false, false);
      this.line = mark.map(m -> m.getLine() + 1).orElse(null);
    }

    Integer line() { return line; }
  }

  static LoadSettings settings(int maxCodePoints) {
    return LoadSettings.builder()
        .setSchema(new CoreSchema())
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setAllowRecursiveKeys(false)
        .setAllowDuplicateKeys(false)
        .setCodePointLimit(maxCodePoints)
        .setLabel("compose file")
        .build();
  }

  /** The document as maps, lists and scalars; throws {@link Refused} or the library's own exceptions. */
  static Object load(String content, int maxCodePoints) {
    LoadSettings settings = settings(maxCodePoints);
    return new Load(settings) {
      @Override
      protected Composer createComposer(String yaml) {
        return new Composer(settings, new Counting(new ParserImpl(settings, new StreamReader(settings, yaml))));
      }
    }.loadFromString(content);
  }

  /** What an anchored node stands for once expanded. */
  private record Expansion(long nodes, int mergeChain) {}

  /** An open collection: its expanded size so far, its longest merge chain, where its children are. */
  private static final class Frame {
    final Anchor anchor;
    final boolean mapping;
    long nodes = 1;
    int mergeChain;
    int children;
    boolean valueIsMerged;

    Frame(Anchor anchor, boolean mapping) {
      this.anchor = anchor;
      this.mapping = mapping;
    }
  }

  /** Passes the parser's events through, counting them. */
  private static final class Counting implements Parser {
    private final Parser inner;
    private final Deque<Frame> open = new ArrayDeque<>();
    private final Map<Anchor, Expansion> anchors = new HashMap<>();
    private long nodes;
    private long aliased;

    Counting(Parser inner) {
      this.inner = inner;
    }

    @Override
    public boolean checkEvent(Event.ID id) { return inner.checkEvent(id); }

    @Override
    public Event peekEvent() { return inner.peekEvent(); }

    @Override
    public boolean hasNext() { return inner.hasNext(); }

    @Override
    public Event next() {
      Event e = inner.next();
      if (e instanceof CollectionStartEvent start) {
        if (open.size() >= MAX_DEPTH) refuse("nested deeper than " + MAX_DEPTH + " levels", e);
        count(1, e);
        open.push(new Frame(start.getAnchor().orElse(null), e instanceof MappingStartEvent));
      } else if (e instanceof CollectionEndEvent) {
        Frame done = open.pop();
        if (done.anchor != null) anchors.put(done.anchor, new Expansion(done.nodes, done.mergeChain));
        completed(done.nodes, done.mergeChain, false, e);
      } else if (e instanceof ScalarEvent scalar) {
        scalar.getAnchor().ifPresent(a -> anchors.put(a, new Expansion(1, 0)));
        count(1, e);
        completed(1, 0, scalar.isPlain() && "<<".equals(scalar.getValue()), e);
      } else if (e instanceof AliasEvent alias) {
        for (Frame f : open) {
          if (alias.getAlias().equals(f.anchor)) refuse("an alias refers to a collection that contains it", e);
        }
        // An unknown alias is the composer's error to report; it counts as one node until then.
        Expansion x = anchors.getOrDefault(alias.getAlias(), new Expansion(1, 0));
        aliased += x.nodes();
        if (aliased > MAX_ALIASED_NODES) refuse("aliases expand to more than " + MAX_ALIASED_NODES + " nodes", e);
        count(x.nodes(), e);
        completed(x.nodes(), x.mergeChain(), false, e);
      }
      return e;
    }

    /** A node (or what an alias expands to) adds to the document's total. */
    private void count(long added, Event at) {
      nodes += added;
      if (nodes > MAX_NODES) refuse("more than " + MAX_NODES + " nodes once aliases are expanded", at);
    }

    /** A finished node adds to its parent; the value of a {@code <<} key lengthens the parent's merge chain. */
    private void completed(long size, int mergeChain, boolean isMergeKey, Event at) {
      Frame parent = open.peek();
      if (parent == null) return;
      parent.nodes += size;
      boolean isKey = parent.mapping && parent.children % 2 == 0;
      parent.children++;
      int chain = mergeChain;
      if (isKey) {
        parent.valueIsMerged = isMergeKey;
      } else if (parent.valueIsMerged) {
        chain = mergeChain + 1;
        parent.valueIsMerged = false;
      }
      if (chain > parent.mergeChain) {
        parent.mergeChain = chain;
        if (chain > MAX_MERGE_CHAIN) refuse("merge keys (<<) chained more than " + MAX_MERGE_CHAIN + " deep", at);
      }
    }

    private static void refuse(String why, Event at) {
      throw new Refused("YAML refused: " + why, at.getStartMark());
    }
  }
}
