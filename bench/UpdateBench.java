import java.io.IOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of DockUp's update check ({@code POST /api/stack/<name>/check-updates}) against a
 * registry on loopback.
 *
 * <p>Tags a local image N times as {@code <registry>/dockup-test/<prefix>-<i>:1} and pushes the
 * tags to the registry (Docker engine API over its Unix socket, 4 at a time). Creates one stack
 * through DockUp with one service per tag, starts it, then runs the check a number of rounds:
 * each asking the registry for every image (a check someone asks for skips DockUp's digest
 * cache); the first also pays for a cold JVM path and new registry tokens.
 * Every answer must hold a registry digest for every image and no error. Finally it deletes the
 * stack and the local tags; the registry keeps what was pushed.
 *
 * <p>Run with {@code bench/run UpdateBench --help}; it needs BenchKit.java. No dependencies.
 */
public class UpdateBench extends BenchKit {

    static final String USER_AGENT = "dockup-updatebench";
    /** Bound of one engine call other than a push. */
    static final int ENGINE_TIMEOUT_MS = 30_000;
    /** Bound of one push, progress stream included. */
    static final int PUSH_TIMEOUT_MS = 300_000;
    /** Bound of one check; DockUp gives up on its own after 120 s. */
    static final int CHECK_TIMEOUT_MS = 130_000;
    static final int REGISTRY_TIMEOUT_MS = 5_000;
    /** base64 of {}: no credentials; the engine's push requires the header. */
    static final String NO_AUTH = "e30=";
    static final String TAG = "1";

    // Target, defined at 50 images.
    static final int TARGET_IMAGES = 50;
    static final double TARGET_COLD_MS = 1000.0;

    /** One path component of a repository name, as the engine accepts it. */
    static final Pattern REPO_COMPONENT = Pattern.compile("^[a-z0-9]+(?:(?:[._]|__|-*)[a-z0-9]+)*$");
    /** host:port; IPv6 literals are not supported. */
    static final Pattern REGISTRY = Pattern.compile("^([A-Za-z0-9.-]+):([0-9]{1,5})$");
    static final Pattern PLAIN_REF = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._/:@-]*$");
    /** An image ID: untagging our tags could delete an image that has no other name. */
    static final Pattern IMAGE_ID = Pattern.compile("^(sha256:)?[0-9a-f]{12,64}$");


    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        String stack = checkedName(o.prefix + "-stack");
        List<String> repos = new ArrayList<>();
        for (int i = 1; i <= o.images; i++) repos.add(o.registry + "/dockup-test/" + o.prefix + "-" + i);

        DockUp dockup = o.setupOnly ? null : new DockUp(o.url, o.token, USER_AGENT);
        Engine engine = new Engine(o.dockerSocket);
        if (dockup != null) requireAbsent(dockup, stack);
        engine.ping();
        pingRegistry(o);
        if (!engine.imageExists(o.sourceImage)) {
            throw new BenchException("--source-image " + o.sourceImage + " is not in the engine's image store");
        }
        requireAbsentTags(engine, repos);

        Set<String> tagged = Collections.synchronizedSet(new LinkedHashSet<>());
        Set<String> touched = Collections.synchronizedSet(new LinkedHashSet<>());
        try {
            pushAll(o, engine, repos, tagged);
            if (o.setupOnly) {
                System.out.println("setup only (--setup-only=true): no DockUp calls");
                return 0;
            }
            System.out.printf("creating and starting stack %s with %d services ...%n", stack, repos.size());
            long t0 = System.nanoTime();
            touched.add(stack); // before the call: a failed create may still leave a folder
            dockup.call("POST", "/api/stack/" + stack + "/compose", "{\"content\":" + Json.quote(composeYaml(repos)) + "}");
            dockup.call("POST", "/api/stack/" + stack + "/operation", "{\"operation\":\"up\"}");
            dockup.awaitRunning(List.of(stack));
            System.out.printf("  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Result r = measure(o, dockup, stack, repos.size());
            r.print(o);
            return 0;
        } finally {
            if (o.keep) {
                System.out.println("keeping " + (touched.isEmpty() ? "" : "stack " + String.join(", ", touched) + " and ")
                        + tagged.size() + " local tags (--keep=true)");
            } else {
                if (dockup != null) dockup.deleteAll(new ArrayList<>(touched));
                engine.untagAll(new ArrayList<>(tagged));
            }
        }
    }

    /** Services s1..sN, one per pushed tag, that idle and stop within a second. */
    static String composeYaml(List<String> repos) {
        StringBuilder y = new StringBuilder("services:\n");
        for (int i = 0; i < repos.size(); i++) {
            y.append("  s").append(i + 1).append(":\n")
                    .append("    image: ").append(repos.get(i)).append(':').append(TAG).append('\n')
                    .append("    init: true\n")
                    .append("    stop_grace_period: 1s\n")
                    .append("    command: [\"sleep\", \"3600\"]\n");
        }
        return y.toString();
    }

    // ---------------------------------------------------------------- setup

    /** Refuses to run over an existing stack: cleanup would otherwise delete someone's stack. */
    static void requireAbsent(DockUp dockup, String name) throws Exception {
        Http.Response r = dockup.get("/api/stack/" + name);
        if (r.status() == 200) DockUp.refuseExisting(List.of(name));
        if (r.status() != 404) {
            throw new BenchException("GET /api/stack/" + name + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        }
    }

    /** Refuses to run over existing local tags: cleanup would otherwise remove someone's tag. */
    static void requireAbsentTags(Engine engine, List<String> repos) throws Exception {
        List<String> existing = new ArrayList<>();
        for (String repo : repos) {
            if (engine.imageExists(repo + ":" + TAG)) existing.add(repo + ":" + TAG);
        }
        if (!existing.isEmpty()) {
            throw new BenchException("local tags already exist: " + abbreviate(existing)
                    + " (remove them or choose another --prefix)");
        }
    }

    /** GET /v2/ on the registry, which must be on loopback and need no credentials. */
    static void pingRegistry(Options o) throws Exception {
        Matcher m = REGISTRY.matcher(o.registry);
        if (!m.matches()) throw new UsageException("--registry must be host:port");
        String host = m.group(1);
        int port = Integer.parseInt(m.group(2));
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (IOException e) {
            throw new UsageException("cannot resolve --registry host " + host);
        }
        if (!addr.isLoopbackAddress()) throw new UsageException("--registry must point to a loopback address");
        Endpoint ep = Endpoint.loopbackTcp(host, port, USER_AGENT);
        Http.Response r;
        try (Http.Conn c = ep.open(REGISTRY_TIMEOUT_MS)) {
            r = c.exchange(ep.request("GET", "/v2/", null, null, true));
        } catch (IOException e) {
            throw new IOException("registry at " + o.registry + ": " + e.getMessage(), e);
        }
        if (r.status() != 200) {
            throw new BenchException("registry at " + o.registry + ": GET /v2/ answered HTTP " + r.status()
                    + " (the benchmark pushes without credentials)");
        }
    }

    /** Tags and pushes each repository, PARALLEL_OPS at a time; tags go to tagged for cleanup. */
    static void pushAll(Options o, Engine engine, List<String> repos, Set<String> tagged) throws Exception {
        System.out.printf("tagging %s and pushing %d tags to %s (%d at a time) ...%n",
                o.sourceImage, repos.size(), o.registry, PARALLEL_OPS);
        long t0 = System.nanoTime();
        Set<String> digests = Collections.synchronizedSet(new TreeSet<>());
        forEachParallel(repos, repo -> {
            tagged.add(repo + ":" + TAG); // before the call: cleanup ignores a tag that is not there
            engine.tag(o.sourceImage, repo, TAG);
            digests.add(engine.push(repo, TAG));
        });
        System.out.printf("  done in %.1f s; manifest digest%s %s%n", (System.nanoTime() - t0) / 1e9,
                digests.size() == 1 ? "" : "s", abbreviate(String.join(", ", digests)));
    }

    // ---------------------------------------------------------------- measurement

    static Result measure(Options o, DockUp dockup, String stack, int n) throws Exception {
        String path = "/api/stack/" + stack + "/check-updates";
        System.out.printf("measuring POST %s: %d round%s, the first cold ...%n", path, o.rounds, o.rounds == 1 ? "" : "s");
        byte[] request = dockup.request("POST", path, "{}".getBytes(StandardCharsets.UTF_8), true);
        long[] nanos = new long[o.rounds];
        int checked = 0;
        int updates = 0;
        for (int round = 1; round <= o.rounds; round++) {
            long t0 = System.nanoTime();
            Http.Response r = dockup.exchange(request, CHECK_TIMEOUT_MS);
            nanos[round - 1] = System.nanoTime() - t0;
            List<Map<?, ?>> images = checkAnswer(r, n, round);
            checked = images.size();
            updates = 0;
            for (Map<?, ?> image : images) {
                if (Boolean.TRUE.equals(image.get("update_available"))) updates++;
            }
            System.out.printf("  round %-3d %-5s %10.3f ms%n", round, round == 1 ? "cold" : "warm", nanos[round - 1] / 1e6);
        }
        long[] warm = Arrays.copyOfRange(nanos, 1, nanos.length);
        Arrays.sort(warm);
        return new Result(path, checked, updates, nanos[0], warm);
    }

    /**
     * The images of a check answer; fails unless it is a success with one entry per service
     * s1..sN, each with a latest_digest and no error.
     */
    static List<Map<?, ?>> checkAnswer(Http.Response r, int n, int round) throws BenchException {
        String what = "round " + round + ": check-updates";
        if (r.status() != 200) throw new BenchException(what + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        Map<?, ?> body;
        List<?> images;
        try {
            body = (Map<?, ?>) Json.parse(r.text());
            images = (List<?>) body.get("images");
        } catch (ClassCastException | IllegalArgumentException e) {
            throw new BenchException(what + ": unexpected body: " + abbreviate(r.text()));
        }
        if (!Boolean.TRUE.equals(body.get("success")) || images == null) {
            throw new BenchException(what + ": unexpected body: " + abbreviate(r.text()));
        }
        Map<String, Map<?, ?>> byService = new LinkedHashMap<>();
        for (Object item : images) {
            if (!(item instanceof Map<?, ?> image)) throw new BenchException(what + ": image entry is not an object: " + abbreviate(item));
            Object error = image.get("error");
            Object latest = image.get("latest_digest");
            if (error != null || !(latest instanceof String s) || s.isEmpty()) {
                throw new BenchException(what + ": service " + image.get("service") + " (" + image.get("image") + "): "
                        + (error != null ? "error: " + error : "no latest_digest") + " -- entry " + abbreviate(image));
            }
            byService.put(String.valueOf(image.get("service")), image);
        }
        List<String> missing = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (!byService.containsKey("s" + i)) missing.add("s" + i);
        }
        if (!missing.isEmpty() || images.size() != n) {
            throw new BenchException(what + ": expected " + n + " image entries (s1..s" + n + "), got " + images.size()
                    + (missing.isEmpty() ? "" : "; missing " + abbreviate(missing)));
        }
        return new ArrayList<>(byService.values());
    }

    record Result(String path, int images, int updates, long coldNanos, long[] warmSorted) {

        void print(Options o) {
            double coldMs = coldNanos / 1e6;
            System.out.println();
            System.out.printf("== POST %s (%d round%s)%n", path, o.rounds, o.rounds == 1 ? "" : "s");
            System.out.printf("  images checked  %d%n", images);
            System.out.printf("  cold ms         %.3f   (round 1: new registry tokens, cold code path)%n", coldMs);
            if (warmSorted.length == 0) {
                System.out.println("  warm ms         n/a     (--rounds=1)");
            } else {
                System.out.printf("  warm p50 ms     %.3f   (rounds 2..%d: every image asked again, tokens cached)%n", percentileMs(warmSorted, 50), o.rounds);
                System.out.printf("  warm max ms     %.3f%n", warmSorted[warmSorted.length - 1] / 1e6);
            }
            System.out.printf("  updates found   %d%n", updates);
            System.out.println();
            String note = images == TARGET_IMAGES ? "" : " -- this run: " + images + " images";
            System.out.println("target (defined at " + TARGET_IMAGES + " images)" + note + ":");
            String what = "cold check of " + images + " images <= 1000 ms";
            System.out.printf("  %-38s %-4s (%.3f ms)%n", what, coldMs <= TARGET_COLD_MS ? "PASS" : "MISS", coldMs);
        }
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: bench/run UpdateBench [--key=value ...]",
                "  --url=http://127.0.0.1:5000         DockUp base URL (loopback only)",
                "  --token=                            sent as X-API-Token on every DockUp request",
                "  --images=50                         images (services of the bench stack) to check (1..500)",
                "  --registry=127.0.0.1:5555           registry host:port (loopback only, no credentials)",
                "  --source-image=dockup-test/busybox:1  local image tagged as <registry>/dockup-test/<prefix>-<i>:1",
                "  --prefix=updbench                   stack <prefix>-stack; repositories dockup-test/<prefix>-<i>",
                "  --rounds=5                          checks: round 1 cold, the rest warm (1..100)",
                "  --keep=false                        keep the stack and the local tags afterwards",
                "  --docker-socket=/var/run/docker.sock",
                "  --setup-only=false                  only tag and push (then remove the local tags); no DockUp needed");

        String url = "http://127.0.0.1:5000";
        String token = "";
        int images = 50;
        String registry = "127.0.0.1:5555";
        String sourceImage = "dockup-test/busybox:1";
        String prefix = "updbench";
        int rounds = 5;
        boolean keep = false;
        String dockerSocket = "/var/run/docker.sock";
        boolean setupOnly = false;
        boolean help = false;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            o.help = parseArgs(args, o::set);
            if (!PLAIN_REF.matcher(o.sourceImage).matches()) {
                throw new UsageException("--source-image must be a plain image reference");
            }
            if (IMAGE_ID.matcher(o.sourceImage).matches()) {
                throw new UsageException("--source-image must be a name, not an image ID");
            }
            if (!REGISTRY.matcher(o.registry).matches()) throw new UsageException("--registry must be host:port");
            if (!REPO_COMPONENT.matcher(o.prefix + "-1").matches()) {
                throw new UsageException("--prefix must give valid repository names (lower-case letters, digits, . _ -)");
            }
            checkedName(o.prefix + "-stack");
            if (o.token.matches(".*[\\r\\n].*")) throw new UsageException("--token must be one line");
            return o;
        }

        private void set(String key, String v) throws UsageException {
            switch (key) {
                case "url" -> url = v;
                case "token" -> token = v;
                case "images" -> images = intIn(key, v, 1, 500);
                case "registry" -> registry = v;
                case "source-image" -> sourceImage = v;
                case "prefix" -> prefix = v;
                case "rounds" -> rounds = intIn(key, v, 1, 100);
                case "keep" -> keep = bool(key, v);
                case "docker-socket" -> dockerSocket = v;
                case "setup-only" -> setupOnly = bool(key, v);
                default -> throw new UsageException("unknown option --" + key);
            }
        }
    }

    // ---------------------------------------------------------------- Docker engine

    /** The engine over its Unix socket; one connection per call, each call bounded by a watchdog. */
    static final class Engine {
        final Endpoint ep;
        final String socketPath;

        Engine(String socketPath) {
            this.socketPath = socketPath;
            this.ep = Endpoint.unix(socketPath, USER_AGENT);
        }

        void ping() throws Exception {
            Http.Response r = call("GET", "/_ping", null, ENGINE_TIMEOUT_MS);
            if (r.status() != 200) throw new BenchException("Docker engine at " + socketPath + ": /_ping HTTP " + r.status());
        }

        boolean imageExists(String ref) throws Exception {
            Http.Response r = call("GET", "/images/" + ref + "/json", null, ENGINE_TIMEOUT_MS);
            if (r.status() == 200) return true;
            if (r.status() == 404) return false;
            throw new BenchException("engine: inspect " + ref + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        }

        void tag(String source, String repo, String tag) throws Exception {
            String path = "/images/" + source + "/tag?repo=" + enc(repo) + "&tag=" + enc(tag);
            Http.Response r = call("POST", path, null, ENGINE_TIMEOUT_MS);
            if (r.status() != 201) throw new BenchException("engine: tag " + repo + ":" + tag + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        }

        /**
         * Pushes repo:tag and returns the manifest digest. The engine answers 200 at once and then
         * streams JSON progress lines; an error shows up as a line with an "error" field.
         */
        String push(String repo, String tag) throws Exception {
            String ref = repo + ":" + tag;
            Http.Response r = call("POST", "/images/" + repo + "/push?tag=" + enc(tag), Map.of("X-Registry-Auth", NO_AUTH), PUSH_TIMEOUT_MS);
            if (r.status() != 200) throw new BenchException("engine: push " + ref + ": HTTP " + r.status() + " " + abbreviate(r.text()));
            String digest = null;
            for (String line : r.text().split("\n")) {
                if (line.isBlank()) continue;
                Map<?, ?> m;
                try {
                    m = (Map<?, ?>) Json.parse(line.trim());
                } catch (ClassCastException | IllegalArgumentException e) {
                    throw new BenchException("engine: push " + ref + ": unexpected output: " + abbreviate(line));
                }
                if (m.get("error") != null) throw new BenchException("engine: push " + ref + ": " + abbreviate(m.get("error")));
                if (m.get("aux") instanceof Map<?, ?> aux && aux.get("Digest") instanceof String d) digest = d;
            }
            if (digest == null) throw new BenchException("engine: push " + ref + ": the stream ended without a digest: " + abbreviate(r.text()));
            return digest;
        }

        /** Removes the tag only (the source's own name keeps the image); false when it was not there. */
        boolean untag(String ref) throws Exception {
            Http.Response r = call("DELETE", "/images/" + ref + "?noprune=1", null, ENGINE_TIMEOUT_MS);
            if (r.status() == 200) return true;
            if (r.status() == 404) return false;
            throw new BenchException("engine: remove " + ref + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        }

        /** Never throws, so it can run in a finally block. */
        void untagAll(List<String> refs) {
            if (refs.isEmpty()) return;
            System.out.printf("removing %d local tags ...%n", refs.size());
            try {
                forEachParallel(refs, this::untag);
                System.out.println("  done");
            } catch (Exception e) {
                System.err.println("cleanup incomplete: " + e.getMessage());
            }
        }

        Http.Response call(String method, String path, Map<String, String> headers, int timeoutMs) throws Exception {
            return ep.exchange(method, path, headers, timeoutMs);
        }

        static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
