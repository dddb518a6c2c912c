import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of the dashboard in the browser the tests use (Debian's Chromium, headless),
 * driven over the DevTools protocol (no library: bench/run compiles these programs alone).
 *
 * <p>A. First load with a cold cache, signed in, until the stack table shows every stack of the
 * node: bytes transferred (compressed, as the network carried them; the feed's WebSocket frames
 * excluded) and the time from navigation to the full table, with --stacks real stacks (created,
 * not started). B. The same table with --simulated stacks more, fed to the page's store in
 * batches of 25 messages (the path SockJS frames take). C. The delay from the engine's
 * {@code die} event ({@code timeNano}) to the stack's row changing in the DOM, over --stops
 * kills of a running container (same host, so one clock).
 */
public class DashboardBench extends BenchKit {
    static final String USER_AGENT = "dockup-dashboardbench";
    static final long STEP_TIMEOUT_MS = 30_000;
    static final double TARGET_FIRST_LOAD_KB = 200;
    static final double TARGET_TABLE_100_MS = 1000;
    static final double TARGET_DOM_P99_MS = 100;

    static final class Options {
        static final String USAGE = """
                usage: bench/run DashboardBench --token=<admin API token> --password=<password> [options]
                  --url=http://127.0.0.1:5000   DockUp (loopback only)
                  --stacks=100                  real stacks created (not started) for A
                  --simulated=1000              stacks fed to the page's store for B
                  --stops=30                    container kills for C
                  --prefix=dashbench            bench stack names start with it
                  --chromium=/usr/bin/chromium  the browser
                """;
        String url = "http://127.0.0.1:5000";
        String token = "";
        String password = "";
        int stacks = 100;
        int simulated = 1000;
        int stops = 30;
        String prefix = "dashbench";
        String chromium = "/usr/bin/chromium";
        boolean help;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            o.help = parseArgs(args, (k, v) -> {
                switch (k) {
                    case "url" -> o.url = v;
                    case "token" -> o.token = v;
                    case "password" -> o.password = v;
                    case "stacks" -> o.stacks = intIn(k, v, 1, 2000);
                    case "simulated" -> o.simulated = intIn(k, v, 0, 10000);
                    case "stops" -> o.stops = intIn(k, v, 1, 500);
                    case "prefix" -> o.prefix = checkedName(v);
                    case "chromium" -> o.chromium = v;
                    default -> throw new UsageException("unknown option --" + k);
                }
            });
            if (!o.help && (o.token.isEmpty() || o.password.isEmpty())) throw new UsageException("--token and --password are required");
            return o;
        }
    }

    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        DockUp api = new DockUp(o.url, o.token, USER_AGENT);
        String base = o.url.endsWith("/") ? o.url.substring(0, o.url.length() - 1) : o.url;
        String node = String.valueOf(((Map<?, ?>) Json.parse(api.get("/api/version").text())).get("node"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < o.stacks; i++) names.add(checkedName(String.format("%s-%04d", o.prefix, i)));
        String live = checkedName(o.prefix + "-live");
        DockUp.refuseExisting(api.listStacks().keySet().stream().filter(n -> n.startsWith(o.prefix + "-")).toList());
        Set<String> touched = ConcurrentHashMap.newKeySet();
        Path profile = Files.createTempDirectory("dockup-dashbench-");
        try {
            System.out.printf("creating %d stacks (not started) ...%n", names.size());
            String yaml = DockUp.composeYaml("dockup-test/busybox:1", List.of("web"));
            forEachParallel(names, name -> {
                touched.add(name);
                api.call("POST", "/api/stack/" + name + "/compose", "{\"content\":" + Json.quote(yaml) + "}");
            });
            int existing = api.listStacks().size();
            String cookie = login(base, o.password);
            try (Cdp cdp = Cdp.launch(o.chromium, profile)) {
                cdp.send("Network.enable", "{}");
                cdp.send("Page.enable", "{}");
                cdp.send("Network.setCookie", "{\"name\":\"session\",\"value\":" + Json.quote(cookie) + ",\"url\":" + Json.quote(base + "/") + "}");

                System.out.printf("%nA. first load, cold cache, %d stacks on the node%n", existing);
                cdp.bytes.set(0);
                cdp.send("Page.navigate", "{\"url\":" + Json.quote(base + "/") + "}");
                double tableMs = cdp.evalNumber(waitRows(existing, "performance.now()"));
                Thread.sleep(1500); // what the page loads after the table (peers, host figures)
                double kb = cdp.bytes.get() / 1024.0;
                System.out.printf("  transferred KB   %.1f   (target <= %.0f)%n", kb, TARGET_FIRST_LOAD_KB);
                System.out.printf("  requests         %d%n", cdp.requests.get());
                System.out.printf("  full table ms    %.1f   (navigation to %d rows; target <= %.0f at 100)%n", tableMs, existing, TARGET_TABLE_100_MS);
                System.out.printf("    of which: page and modules loaded at %.1f ms, feed registered at %.1f ms%n",
                        cdp.evalNumber("Math.max(...performance.getEntriesByType('resource').filter(r => r.name.includes('/ui/')).map(r => r.responseEnd))"),
                        cdp.evalNumber("(performance.getEntriesByType('resource').find(r => r.name.includes('/eventbus/info')) || {}).responseEnd || NaN"));

                if (o.simulated > 0) {
                    System.out.printf("%nB. %d more stacks fed to the page's store%n", o.simulated);
                    double simMs = cdp.evalNumber("(async () => { const store = document.querySelector('dockup-app').store;"
                            + " const t0 = performance.now(); const n = " + o.simulated + ";"
                            + " for (let i = 0; i < n; i += 25) { for (let j = i; j < Math.min(n, i + 25); j++) store.apply({type: 'stack_status',"
                            + " node: 'bench-sim', ts: 'sim', stack: 'sim-' + j, name: 'sim-' + j, status: j % 3 ? 'running' : 'stopped',"
                            + " health_status: j % 3 ? 'healthy' : 'stopped', containers: 2, running: j % 3 ? 2 : 0, services: ['web', 'db'],"
                            + " update_available: j % 10 === 0 }); await new Promise(r => setTimeout(r, 0)); }"
                            + " " + waitRowsBody(existing + o.simulated) + " return performance.now() - t0; })()");
                    System.out.printf("  full table ms    %.1f   (%d rows)%n", simMs, existing + o.simulated);
                    cdp.send("Page.navigate", "{\"url\":" + Json.quote(base + "/") + "}");
                    cdp.evalNumber(waitRows(existing, "0"));
                }

                System.out.printf("%nC. engine die -> row changed in the DOM, %d kills%n", o.stops);
                touched.add(live);
                api.createAndStart(List.of(live), yaml, touched);
                api.awaitRunning(List.of(live));
                String id = containerId(api, live);
                String key = node + "/" + live;
                cdp.send("Page.navigate", "{\"url\":" + Json.quote(base + "/#/?q=" + live) + "}");
                cdp.evalNumber(waitStatus(key, true));
                long[] delays = measureKills(cdp, id, key, o.stops);
                Arrays.sort(delays);
                printPercentiles(delays);
                System.out.printf("  target p99 ms    %.0f%n", TARGET_DOM_P99_MS);
            }
        } finally {
            api.deleteAll(new ArrayList<>(touched));
            deleteTree(profile);
        }
        return 0;
    }

    static long[] measureKills(Cdp cdp, String id, String key, int stops) throws Exception {
        LinkedBlockingQueue<Long> dies = new LinkedBlockingQueue<>();
        Process events = new ProcessBuilder("docker", "events", "--filter", "container=" + id, "--filter", "event=die",
                "--format", "{{.TimeNano}}").redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.trim().matches("\\d+")) dies.add(Long.parseLong(line.trim()));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "docker-events");
        reader.setDaemon(true);
        reader.start();
        try {
            Thread.sleep(500); // docker events is subscribed
            long[] delays = new long[stops];
            for (int i = 0; i < stops; i++) {
                CompletableFuture<Double> changed = cdp.evalNumberAsync("new Promise(res => { const key = " + Json.quote(key) + ";"
                        + " const body = document.querySelector('table.stacks tbody');"
                        + " const mo = new MutationObserver(() => { const c = document.querySelector(`tr[data-key=\"${key}\"] .c-status`);"
                        + " if (c && !c.textContent.includes('Running')) { mo.disconnect(); res(performance.timeOrigin + performance.now()); } });"
                        + " mo.observe(body, { subtree: true, childList: true, characterData: true }); })");
                Thread.sleep(50); // the observer is installed
                docker("kill", id);
                Long die = dies.poll(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (die == null) throw new BenchException("no die event for kill " + (i + 1));
                double domMs = changed.get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                delays[i] = Math.max(0, Math.round(domMs * 1e6) - die);
                docker("start", id);
                cdp.evalNumber(waitStatus(key, true));
            }
            return delays;
        } finally {
            events.destroy();
        }
    }

    static String waitRowsBody(int n) {
        return "await new Promise((res, rej) => { const t = setTimeout(() => rej(new Error('table incomplete')), " + STEP_TIMEOUT_MS + ");"
                + " const check = () => document.querySelectorAll('table.stacks tbody tr').length >= " + n
                + " ? (clearTimeout(t), res()) : requestAnimationFrame(check); check(); });";
    }

    static String waitRows(int n, String result) {
        return "(async () => { while (!document.querySelector('table.stacks')) await new Promise(r => setTimeout(r, 5)); "
                + waitRowsBody(n) + " return " + result + "; })()";
    }

    static String waitStatus(String key, boolean running) {
        return "(async () => { const end = Date.now() + " + STEP_TIMEOUT_MS + "; while (Date.now() < end) {"
                + " const c = document.querySelector(`tr[data-key=" + Json.quote(key).replace("`", "") + "] .c-status`);"
                + " if (c && c.textContent.includes('Running') === " + running + ") return 0; await new Promise(r => setTimeout(r, 20)); }"
                + " throw new Error('row state not reached'); })()";
    }

    static String containerId(DockUp api, String stack) throws Exception {
        String text = api.get("/api/stack/" + stack).text();
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f]{12,64})\"").matcher(text);
        if (!m.find()) throw new BenchException("no container of " + stack + ": " + abbreviate(text));
        return m.group(1);
    }

    static void docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new BenchException(String.join(" ", cmd) + ": " + abbreviate(out));
    }

    /** The session cookie for the browser, from POST /api/auth/login. */
    static String login(String base, String password) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":" + Json.quote(password) + "}")).build(), HttpResponse.BodyHandlers.ofString());
        for (String c : r.headers().allValues("set-cookie")) {
            Matcher m = Pattern.compile("^session=([^;]+)").matcher(c);
            if (m.find()) return m.group(1);
        }
        throw new BenchException("login refused: HTTP " + r.statusCode() + " " + abbreviate(r.body()));
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    /** Chromium's DevTools protocol over a WebSocket to one page: commands, replies, and the network events counted. */
    static final class Cdp implements AutoCloseable, WebSocket.Listener {
        private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
        final Process browser;
        final WebSocket ws;
        final AtomicInteger ids = new AtomicInteger();
        final Map<Integer, CompletableFuture<Map<?, ?>>> pending = new ConcurrentHashMap<>();
        final AtomicLong bytes = new AtomicLong();
        final AtomicInteger requests = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();

        private Cdp(Process browser, String pageWs) {
            this.browser = browser;
            this.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(pageWs), this).join();
        }

        static Cdp launch(String chromium, Path profile) throws Exception {
            Process p = new ProcessBuilder(chromium, "--headless", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1440,900", "about:blank").redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String browserWs = null;
            long deadline = deadlineIn(STEP_TIMEOUT_MS);
            for (String line; browserWs == null && System.nanoTime() < deadline && (line = r.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) browserWs = m.group(1);
            }
            if (browserWs == null) {
                p.destroyForcibly();
                throw new BenchException("Chromium did not start its DevTools endpoint");
            }
            Thread drain = new Thread(() -> {
                try {
                    r.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // the browser exited
                }
            }, "chromium-output");
            drain.setDaemon(true);
            drain.start();
            URI u = URI.create(browserWs);
            String list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + u.getHost() + ":" + u.getPort() + "/json/list"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (Object t : (List<?>) Json.parse(list)) {
                Map<?, ?> target = (Map<?, ?>) t;
                if ("page".equals(target.get("type"))) return new Cdp(p, String.valueOf(target.get("webSocketDebuggerUrl")));
            }
            p.destroyForcibly();
            throw new BenchException("no page target in " + abbreviate(list));
        }

        CompletableFuture<Map<?, ?>> sendAsync(String method, String params) {
            int id = ids.incrementAndGet();
            CompletableFuture<Map<?, ?>> f = new CompletableFuture<>();
            pending.put(id, f);
            ws.sendText("{\"id\":" + id + ",\"method\":" + Json.quote(method) + ",\"params\":" + params + "}", true);
            return f;
        }

        Map<?, ?> send(String method, String params) throws Exception {
            return sendAsync(method, params).get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        CompletableFuture<Double> evalNumberAsync(String expression) {
            return sendAsync("Runtime.evaluate", "{\"expression\":" + Json.quote(expression) + ",\"awaitPromise\":true,\"returnByValue\":true}")
                    .thenApply(reply -> {
                        Map<?, ?> result = (Map<?, ?>) reply.get("result");
                        if (result == null || result.get("exceptionDetails") != null) {
                            throw new IllegalStateException("page script failed: " + abbreviate(reply));
                        }
                        Object v = ((Map<?, ?>) result.get("result")).get("value");
                        return v instanceof Number n ? n.doubleValue() : Double.NaN;
                    });
        }

        double evalNumber(String expression) throws Exception {
            return evalNumberAsync(expression).get(STEP_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                Map<?, ?> msg = (Map<?, ?>) Json.parse(partial.toString());
                partial.setLength(0);
                if (msg.get("id") instanceof Number n) {
                    CompletableFuture<Map<?, ?>> f = pending.remove(n.intValue());
                    if (f != null) {
                        if (msg.get("error") != null) f.completeExceptionally(new IllegalStateException(abbreviate(msg.get("error"))));
                        else f.complete(msg);
                    }
                } else if ("Network.loadingFinished".equals(msg.get("method"))) {
                    Object len = ((Map<?, ?>) msg.get("params")).get("encodedDataLength");
                    if (len instanceof Number n) bytes.addAndGet(n.longValue());
                    requests.incrementAndGet();
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public void close() {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the browser goes anyway
            }
            browser.destroy();
            try {
                if (!browser.waitFor(5, TimeUnit.SECONDS)) browser.destroyForcibly();
            } catch (InterruptedException e) {
                browser.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
