import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * DockUp's footprint on a small host: start-up time, memory, threads and CPU (its own and the
 * Docker engine's), with 0, 20, 100 and 500 stacks.
 *
 * <p>For each size it starts {@code target/dockup.jar} as a child process (with the JVM options
 * of {@code conf/jvm.options}, as the README's run command and the image do), times the first
 * answer and the complete list of {@code GET /api/stacks}, then measures idle, with one feed
 * client watching stats of every stack and following logs of ten, and under StacksBench's load
 * with that client still connected. It prints every figure beside the issue's targets.
 *
 * <p>The stacks are written into a folder of the bench's own and started with the compose CLI
 * (the first {@code --running} of them; the rest are only created, {@code network_mode: none},
 * since the engine's address pool holds a few hundred networks at most). Needs BenchKit.java,
 * FeedBench.java (engine client) and StacksBench.java (load): {@code bench/run FootprintBench},
 * from the checkout's root, where the README's run command starts DockUp (the JVM options name
 * the class-data archive {@code target/dockup.jsa} relative to it).
 */
public class FootprintBench extends BenchKit {
    static final String USER_AGENT = "dockup-footprintbench";
    static final String PASSWORD = "footprint-bench-password";
    static final long START_TIMEOUT_MS = 60_000;
    static final long STOP_TIMEOUT_MS = 45_000;
    static final long SAMPLE_EVERY_MS = 250;

    // Targets of issue 14 (at 100 stacks unless said otherwise).
    static final double TARGET_FIRST_ANSWER_20_S = 1.5;
    static final double TARGET_COMPLETE_100_S = 2.0;
    static final double TARGET_RSS_EMPTY_MB = 120;
    static final double TARGET_RSS_IDLE_MB = 150;
    static final double TARGET_RSS_LOAD_MB = 200;
    static final int TARGET_THREADS = 60;
    static final double TARGET_CPU_PERCENT = 3.0;

    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        FeedBench.Engine engine = new FeedBench.Engine(o.dockerSocket);
        engine.ping();
        int dockerd = dockerdPid(o);
        if (!o.reuse) requireNoProjects(engine, o.prefix);
        Path work = o.workDir.isEmpty() ? Files.createTempDirectory("dockup-footprint-") : Files.createDirectories(Path.of(o.workDir));
        Path stacks = Files.createDirectories(work.resolve("stacks"));
        Path data = work.resolve("data");
        System.out.printf("work folder %s; dockerd pid %d; load average %s%n", work, dockerd, loadAverage());
        System.out.printf("jar %s; JVM options %s%n", o.jar, o.jvmOptions.isEmpty() ? "(none)" : o.jvmOptions + " " + readOptions(o));
        Set<String> created = Collections.synchronizedSet(new LinkedHashSet<>());
        List<SizeResult> results = new ArrayList<>();
        try {
            String token = firstBoot(o, work, stacks, data);
            List<String> running = new ArrayList<>();
            List<String> idle = new ArrayList<>();
            for (int size : o.sizes) {
                int wantRunning = Math.min(size, o.running);
                List<String> toStart = new ArrayList<>();
                for (int i = running.size() + 1; i <= wantRunning; i++) toStart.add(checkedName(o.prefix + "-" + i));
                List<String> toCreate = new ArrayList<>();
                for (int i = running.size() + idle.size() + toStart.size() + 1; i <= size; i++) {
                    toCreate.add(checkedName(o.prefix + "-" + i));
                }
                if (o.reuse) {
                    // Stacks a kept earlier run left (same --work-dir and --prefix) are used as they are.
                    toStart.removeIf(name -> Files.isRegularFile(stacks.resolve(name).resolve("compose.yaml")));
                    toCreate.removeIf(name -> Files.isRegularFile(stacks.resolve(name).resolve("compose.yaml")));
                }
                compose(o, stacks, toStart, true, created);
                compose(o, stacks, toCreate, false, created);
                for (int i = running.size() + 1; i <= wantRunning; i++) running.add(o.prefix + "-" + i);
                for (int i = running.size() + idle.size() + 1; i <= size; i++) idle.add(o.prefix + "-" + i);
                results.add(measureSize(o, work, stacks, data, token, dockerd, running, idle));
            }
        } finally {
            printTable(o, results);
            if (o.keep) {
                System.out.println("keeping " + created.size() + " stacks and " + work + " (--keep=true)");
            } else {
                removeProjects(engine, o.prefix);
                deleteTree(work);
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- setup

    /** Starts DockUp once with an empty folder, for a token it keeps in DATA_DIR (and a warm page cache). */
    static String firstBoot(Options o, Path work, Path stacks, Path data) throws Exception {
        System.out.println("first start: creating an API token ...");
        Node node = Node.start(o, work, stacks, data, "boot");
        try {
            DockUp anonymous = new DockUp(node.url(), "", USER_AGENT);
            long deadline = deadlineIn(START_TIMEOUT_MS);
            Http.Response jwt = null;
            while (System.nanoTime() < deadline) {
                try {
                    jwt = anonymous.exchange(anonymous.request("POST", "/api/auth/token",
                            ("{\"password\":" + Json.quote(PASSWORD) + "}").getBytes(StandardCharsets.UTF_8), true), 10_000);
                    if (jwt.status() == 200) break;
                } catch (IOException notYet) {
                    // not listening yet
                }
                node.checkAlive();
                Thread.sleep(50);
            }
            if (jwt == null || jwt.status() != 200) throw new BenchException("no JWT from the first start: " + (jwt == null ? "no answer" : jwt.text()));
            String bearer = String.valueOf(((Map<?, ?>) Json.parse(jwt.text())).get("token"));
            Map<String, String> headers = Map.of("Authorization", "Bearer " + bearer, "Accept", "application/json");
            // Named by the time: a reused DATA_DIR keeps the tokens of earlier runs.
            byte[] body = ("{\"name\":\"footprint-" + System.currentTimeMillis() + "\",\"scope\":\"admin\"}").getBytes(StandardCharsets.UTF_8);
            byte[] req = anonymous.endpoint.request("POST", "/api/tokens", headers, body, true);
            Http.Response created = anonymous.exchange(req, 10_000);
            if (created.status() / 100 != 2) throw new BenchException("POST /api/tokens: HTTP " + created.status() + " " + abbreviate(created.text()));
            return String.valueOf(((Map<?, ?>) Json.parse(created.text())).get("token"));
        } finally {
            node.stop();
        }
    }

    /** Writes each stack's compose file and runs {@code up -d} (or {@code create}), PARALLEL_OPS at a time. */
    static void compose(Options o, Path stacks, List<String> names, boolean start, Set<String> created) throws Exception {
        if (names.isEmpty()) return;
        System.out.printf("%s %d stacks (%d at a time) ...%n", start ? "starting" : "creating (not starting)", names.size(), PARALLEL_OPS);
        long t0 = System.nanoTime();
        forEachParallel(names, name -> {
            Path dir = Files.createDirectories(stacks.resolve(name));
            Path file = dir.resolve("compose.yaml");
            Files.writeString(file, composeYaml(o.image, start));
            created.add(name);
            List<String> cmd = new ArrayList<>(Arrays.asList(o.compose.trim().split("\\s+")));
            cmd.addAll(List.of("-p", name, "-f", file.toString()));
            cmd.addAll(start ? List.of("up", "-d") : List.of("create"));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().put("DOCKER_HOST", "unix://" + o.dockerSocket);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new BenchException(String.join(" ", cmd) + ": " + abbreviate(out));
            }
        });
        System.out.printf("  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Two idle services; stacks that are only created get no network of their own. */
    static String composeYaml(String image, boolean running) {
        StringBuilder y = new StringBuilder("services:\n");
        for (String service : List.of("a", "b")) {
            y.append("  ").append(service).append(":\n")
                    .append("    image: ").append(image).append('\n')
                    .append("    init: true\n")
                    .append("    stop_grace_period: 1s\n")
                    .append("    command: [\"sh\", \"-c\", \"echo started; sleep 3600\"]\n");
            if (!running) y.append("    network_mode: none\n");
        }
        return y.toString();
    }

    static void requireNoProjects(FeedBench.Engine engine, String prefix) throws Exception {
        List<String> ids = projectContainers(engine, prefix);
        if (!ids.isEmpty()) {
            throw new BenchException(ids.size() + " containers of projects named " + prefix + "-* exist already"
                    + " (remove them or choose another --prefix)");
        }
    }

    static List<String> projectContainers(FeedBench.Engine engine, String prefix) throws Exception {
        String filters = "{\"label\":[\"com.docker.compose.project\"]}";
        Http.Response r = engine.call("GET", "/containers/json?all=1&filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8));
        if (r.status() != 200) throw new BenchException("engine: list containers: HTTP " + r.status());
        List<String> ids = new ArrayList<>();
        for (Object item : (List<?>) Json.parse(r.text())) {
            Map<?, ?> c = (Map<?, ?>) item;
            Object project = ((Map<?, ?>) c.get("Labels")).get("com.docker.compose.project");
            if (project != null && String.valueOf(project).startsWith(prefix + "-")) ids.add(String.valueOf(c.get("Id")));
        }
        return ids;
    }

    /** Never throws: it runs in a finally block. */
    static void removeProjects(FeedBench.Engine engine, String prefix) {
        try {
            List<String> ids = projectContainers(engine, prefix);
            System.out.printf("removing %d bench containers and their networks ...%n", ids.size());
            forEachParallel(ids, id -> engine.call("DELETE", "/containers/" + id + "?force=1&v=1"));
            String filters = "{\"label\":[\"com.docker.compose.project\"]}";
            Http.Response r = engine.call("GET", "/networks?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8));
            List<String> networks = new ArrayList<>();
            for (Object item : (List<?>) Json.parse(r.text())) {
                Map<?, ?> n = (Map<?, ?>) item;
                Object project = ((Map<?, ?>) n.get("Labels")).get("com.docker.compose.project");
                if (project != null && String.valueOf(project).startsWith(prefix + "-")) networks.add(String.valueOf(n.get("Id")));
            }
            forEachParallel(networks, id -> engine.call("DELETE", "/networks/" + id));
            System.out.println("  done");
        } catch (Exception e) {
            System.err.println("cleanup incomplete: " + e.getMessage());
        }
    }

    static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + root + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- one size

    record Sample(long rssKb, int threads) {}

    /** CPU (share of one core), RSS and threads over a window, from /proc. */
    /** {@code jitPercent}: the part of {@code cpuPercent} the JIT compiler threads used. */
    record Window(double cpuPercent, double jitPercent, double dockerdPercent, double rssAvgMb, double rssMaxMb, int threadsMax) {
        static final Window NONE = new Window(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1);
    }

    record SizeResult(int size, int running, List<Double> firstS, List<Double> completeS, List<Double> cpuS, Window idle, Window watch,
                      Window load, int ticks, double maxSampleMs, int logLines, StacksBench.Result list) {}

    static SizeResult measureSize(Options o, Path work, Path stacks, Path data, String token, int dockerd,
                                  List<String> running, List<String> idle) throws Exception {
        int size = running.size() + idle.size();
        System.out.printf("%n== %d stacks (%d running, %d created only); load average %s%n", size, running.size(), idle.size(), loadAverage());
        List<Double> firsts = new ArrayList<>();
        List<Double> completes = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        Node node = null;
        try {
            for (int i = 1; i <= o.starts; i++) {
                node = Node.start(o, work, stacks, data, size + "-" + i);
                double[] t = node.timeList(token, running, idle);
                firsts.add(t[0]);
                completes.add(t[1]);
                cpus.add(t[2]);
                System.out.printf("  start %d: first answer %.2f s, complete list %.2f s (CPU used by then %.2f s)%n", i, t[0], t[1], t[2]);
                if (i < o.starts) {
                    node.stop();
                    node = null;
                }
            }
            Thread.sleep(o.settleSeconds * 1000L);
            Window idleWindow = node.window("idle, no client", dockerd, o.idleSeconds * 1000L, null);
            if (size == 0) return new SizeResult(size, 0, firsts, completes, cpus, idleWindow, Window.NONE, Window.NONE, 0, Double.NaN, 0, null);

            Feed feed = Feed.open(node.url(), token);
            try {
                List<String> follow = running.subList(0, Math.min(o.follow, running.size()));
                for (String name : follow) feed.send("{\"follow_logs\":{\"stack\":" + Json.quote(name) + ",\"tail\":10}}");
                // Measured once the code that serves it is compiled: a few ticks in, as a dashboard left open is.
                feed.awaitTicks(o.warmTicks, Duration.ofSeconds(120));
                Window watch = node.window("one client watching stats of all, following logs of " + follow.size(), dockerd,
                        o.watchSeconds * 1000L, null);
                int ticks = feed.ticks();
                double maxSample = feed.maxSampleMs();
                int lines = feed.logLines();
                // The list benchmark with the dashboard client still connected.
                DockUp dockup = new DockUp(node.url(), token, USER_AGENT);
                StacksBench.Options load = StacksBench.Options.parse(new String[] {
                        "--connections=" + o.connections, "--seconds=" + o.loadSeconds});
                StacksBench.Result[] list = new StacksBench.Result[1];
                Window loaded = node.window("StacksBench load (" + o.connections + " connections) + the client", dockerd, 0, () -> {
                    list[0] = StacksBench.measure("DockUp GET /api/stacks", dockup.endpoint, dockup.request("GET", "/api/stacks", null, false), load);
                });
                feed.check();
                return new SizeResult(size, running.size(), firsts, completes, cpus, idleWindow, watch, loaded, ticks, maxSample, lines, list[0]);
            } finally {
                feed.close();
            }
        } finally {
            if (node != null) node.stop();
        }
    }

    // ---------------------------------------------------------------- the DockUp process

    interface Work {
        void run() throws Exception;
    }

    static final class Node {
        final Process process;
        final int port;
        final Path log;
        final long startedNs;

        private Node(Process process, int port, Path log, long startedNs) {
            this.process = process;
            this.port = port;
            this.log = log;
            this.startedNs = startedNs;
        }

        static Node start(Options o, Path work, Path stacks, Path data, String label) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(o.java));
            if (!o.jvmOptions.isEmpty()) cmd.add("@" + Path.of(o.jvmOptions).toAbsolutePath());
            cmd.addAll(List.of("-jar", Path.of(o.jar).toAbsolutePath().toString()));
            Path log = work.resolve("dockup-" + label + ".log");
            // In the folder the bench runs in, as the README's run command does: the JVM options name
            // the class-data archive relative to it. DOCKUP_CONFIG keeps conf/config.json out.
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("DOCKUP_") || k.startsWith("DOCKER_") || k.startsWith("COMPOSE_")
                    || k.startsWith("JAVA_TOOL") || k.startsWith("JDK_JAVA") || List.of("PORT", "HOST", "STACKS_DIR", "DATA_DIR").contains(k));
            env.put("PORT", String.valueOf(port));
            env.put("HOST", "127.0.0.1");
            env.put("STACKS_DIR", stacks.toString());
            env.put("DATA_DIR", data.toString());
            env.put("DOCKER_HOST", "unix://" + o.dockerSocket);
            env.put("DOCKUP_NODE_NAME", "footprint");
            env.put("DOCKUP_PASSWORD", PASSWORD);
            env.put("DOCKUP_CONFIG", work.resolve("no-config.json").toString());
            long t0 = System.nanoTime();
            return new Node(pb.start(), port, log, t0);
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        long pid() {
            return process.pid();
        }

        void checkAlive() throws BenchException {
            if (!process.isAlive()) throw new BenchException("DockUp exited (" + process.exitValue() + "); see " + log);
        }

        /**
         * Seconds from the process start to the first 200 of GET /api/stacks, and to the first
         * that lists every stack with the status the engine has (running, or stopped for a stack
         * whose containers were only created).
         */
        double[] timeList(String token, List<String> running, List<String> idle) throws Exception {
            DockUp dockup = new DockUp(url(), token, USER_AGENT);
            byte[] req = dockup.request("GET", "/api/stacks", null, true);
            long deadline = startedNs + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            double first = Double.NaN;
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                checkAlive();
                Http.Response r;
                try {
                    r = dockup.exchange(req, 10_000);
                } catch (IOException notListening) {
                    Thread.sleep(5);
                    continue;
                }
                long now = System.nanoTime();
                if (r.status() == 200) {
                    if (Double.isNaN(first)) first = (now - startedNs) / 1e9;
                    if (complete(r.text(), running, idle)) {
                        return new double[] {first, (now - startedNs) / 1e9, (double) Proc.cpuTicks(pid()) / Proc.CLK_TCK};
                    }
                }
                last = "HTTP " + r.status() + " " + abbreviate(r.text());
                Thread.sleep(10);
            }
            throw new BenchException("the list was not complete within " + START_TIMEOUT_MS / 1000 + " s; last: " + last);
        }

        static boolean complete(String body, List<String> running, List<String> idle) {
            Map<?, ?> json = (Map<?, ?>) Json.parse(body);
            if (!Boolean.TRUE.equals(json.get("engine_ok"))) return false;
            Map<String, String> status = new LinkedHashMap<>();
            for (Object s : (List<?>) json.get("stacks")) {
                Map<?, ?> stack = (Map<?, ?>) s;
                status.put(String.valueOf(stack.get("name")), String.valueOf(stack.get("status")));
            }
            for (String name : running) if (!"running".equals(status.get(name))) return false;
            for (String name : idle) if (!"stopped".equals(status.get(name))) return false;
            return true;
        }

        /**
         * Samples RSS and threads every SAMPLE_EVERY_MS while {@code work} runs (or for {@code ms}
         * when it is null), and the CPU time DockUp and dockerd used meanwhile.
         */
        Window window(String label, int dockerd, long ms, Work work) throws Exception {
            checkAlive();
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean done = new AtomicBoolean();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    try {
                        samples.add(Proc.sample(pid()));
                        Thread.sleep(SAMPLE_EVERY_MS);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "sampler");
            sampler.setDaemon(true);
            long cpu0 = Proc.cpuTicks(pid());
            long jit0 = Proc.jitTicks(pid());
            long engine0 = Proc.cpuTicks(dockerd);
            long t0 = System.nanoTime();
            sampler.start();
            try {
                if (work == null) Thread.sleep(ms);
                else work.run();
            } finally {
                done.set(true);
                sampler.join(2_000);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = 100.0 * (Proc.cpuTicks(pid()) - cpu0) / Proc.CLK_TCK / seconds;
            double jit = 100.0 * (Proc.jitTicks(pid()) - jit0) / Proc.CLK_TCK / seconds;
            double engine = 100.0 * (Proc.cpuTicks(dockerd) - engine0) / Proc.CLK_TCK / seconds;
            double avg = samples.stream().mapToLong(Sample::rssKb).average().orElse(Double.NaN) / 1024;
            double max = samples.stream().mapToLong(Sample::rssKb).max().orElse(0) / 1024.0;
            int threads = samples.stream().mapToInt(Sample::threads).max().orElse(-1);
            Window w = new Window(cpu, jit, engine, avg, max, threads);
            System.out.printf("  %-62s %5.1f s: CPU %5.2f%% (JIT %4.2f%%), dockerd %5.2f%%, RSS avg %6.1f MB max %6.1f MB, threads max %d%n",
                    label, seconds, cpu, jit, engine, avg, max, threads);
            return w;
        }

        /** SIGTERM, as a service manager stops it; killed if it takes too long. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What the kernel says about a process. */
    static final class Proc {
        static final long CLK_TCK = clockTicks();

        static Sample sample(long pid) throws IOException {
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", ""));
                if (line.startsWith("Threads:")) threads = Integer.parseInt(line.replaceAll("\\D", ""));
            }
            return new Sample(rss, threads);
        }

        /** utime + stime (fields 14 and 15), read after the command name, which may hold spaces. */
        static long cpuTicks(long pid) throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }

        /**
         * CPU ticks of the JVM's JIT compiler threads ({@code C1/C2 CompilerThread<n>}, cut to 15
         * characters by the kernel): compiling code a window runs for the first time is a one-off
         * that a short window shows as part of that window's cost.
         */
        static long jitTicks(long pid) throws IOException {
            long ticks = 0;
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException gone) {
                        continue;
                    }
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) continue;
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks;
        }

        private static long clockTicks() {
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
                return Long.parseLong(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
            } catch (Exception e) {
                return 100;
            }
        }
    }

    static int dockerdPid(Options o) throws Exception {
        if (o.dockerdPid > 0) return o.dockerdPid;
        Path pidFile = Path.of("/var/run/docker.pid");
        if (Files.isReadable(pidFile)) return Integer.parseInt(Files.readString(pidFile).trim());
        throw new UsageException("cannot read /var/run/docker.pid: give --dockerd-pid");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String readOptions(Options o) {
        try {
            return "(" + String.join(" ", Files.readAllLines(Path.of(o.jvmOptions)).stream()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) + ")";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- the feed client

    /** A dashboard-like client of /ws: everything subscribed, some logs followed; counts what arrives. */
    static final class Feed implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;
        private final Set<Long> ticks = new LinkedHashSet<>();
        private double maxSampleMs;
        private int logLines;
        private String failure;

        static Feed open(String url, String token) throws Exception {
            Feed f = new Feed();
            HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();
            f.ws = client.newWebSocketBuilder().header("X-API-Token", token)
                    .buildAsync(URI.create(url.replace("http://", "ws://") + "/ws"), f).get(15, TimeUnit.SECONDS);
            return f;
        }

        void send(String json) throws Exception {
            ws.sendText(json, true).get(5, TimeUnit.SECONDS);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                handle(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private synchronized void handle(String text) {
            Object parsed;
            try {
                parsed = Json.parse(text);
            } catch (IllegalArgumentException e) {
                return;
            }
            if (!(parsed instanceof Map<?, ?> m)) return;
            String type = String.valueOf(m.get("type"));
            if ("stats_update".equals(type)) {
                if (m.get("tick") instanceof Long t) ticks.add(t);
                if (m.get("sample_ms") instanceof Number n && ticks.size() > 1) maxSampleMs = Math.max(maxSampleMs, n.doubleValue());
                notifyAll();
            } else if ("log_line".equals(type)) {
                logLines++;
            } else if ("error".equals(type)) {
                System.out.println("  feed error: " + abbreviate(text));
            }
        }

        @Override
        public synchronized CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            failure = "closed by DockUp: " + statusCode + " " + reason;
            notifyAll();
            return null;
        }

        @Override
        public synchronized void onError(WebSocket webSocket, Throwable error) {
            failure = "error: " + error;
            notifyAll();
        }

        synchronized void awaitTicks(int n, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ticks.size() < n) {
                check();
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new BenchException("fewer than " + n + " stats ticks within " + timeout.toSeconds() + " s");
                wait(Math.min(left, 1000));
            }
        }

        synchronized void check() throws BenchException {
            if (failure != null) throw new BenchException("feed " + failure);
        }

        synchronized int ticks() { return ticks.size(); }

        synchronized double maxSampleMs() { return maxSampleMs; }

        synchronized int logLines() { return logLines; }

        void close() {
            ws.abort();
        }
    }

    // ---------------------------------------------------------------- report

    static void printTable(Options o, List<SizeResult> results) {
        if (results.isEmpty()) return;
        System.out.println();
        System.out.printf("== FootprintBench (load average %s)%n", loadAverage());
        System.out.printf("%-44s", "stacks (running)");
        for (SizeResult r : results) System.out.printf(" %12s", r.size() + " (" + r.running() + ")");
        System.out.printf("   %s%n", "target");
        row(results, "first answer, s (median)", r -> median(r.firstS()), "%.2f", "<= 1.5 at 20");
        row(results, "complete list, s (median)", r -> median(r.completeS()), "%.2f", "<= 2 at 100");
        row(results, "CPU used until complete, s (median)", r -> median(r.cpuS()), "%.2f", "");
        row(results, "idle, no client: RSS MB", r -> r.idle().rssMaxMb(), "%.1f", "<= 120 with none");
        row(results, "idle, no client: threads", r -> (double) r.idle().threadsMax(), "%.0f", "");
        row(results, "idle, no client: CPU %", r -> r.idle().cpuPercent(), "%.2f", "");
        row(results, "idle, no client: dockerd CPU %", r -> r.idle().dockerdPercent(), "%.2f", "");
        row(results, "watching: RSS MB", r -> r.watch().rssMaxMb(), "%.1f", "<= 150 at 100");
        row(results, "watching: threads", r -> (double) r.watch().threadsMax(), "%.0f", "<= 60, flat");
        row(results, "watching: CPU %", r -> r.watch().cpuPercent(), "%.2f", "");
        row(results, "watching: extra CPU % (vs idle)", r -> r.watch().cpuPercent() - r.idle().cpuPercent(), "%.2f", "<= 3 at 100");
        row(results, "watching: extra CPU % of it, JIT compiler", r -> r.watch().jitPercent() - r.idle().jitPercent(), "%.2f", "");
        row(results, "watching: dockerd extra CPU % (vs idle)", r -> r.watch().dockerdPercent() - r.idle().dockerdPercent(), "%.2f", "<= 3 at 100");
        row(results, "watching: stats ticks seen", r -> (double) r.ticks(), "%.0f", "");
        row(results, "watching: max sample_ms", r -> r.maxSampleMs(), "%.0f", "");
        row(results, "watching: log lines received", r -> (double) r.logLines(), "%.0f", "");
        row(results, "under list load: RSS max MB", r -> r.load().rssMaxMb(), "%.1f", "<= 200 at 100");
        row(results, "under list load: threads", r -> (double) r.load().threadsMax(), "%.0f", "<= 60");
        row(results, "under list load: CPU %", r -> r.load().cpuPercent(), "%.1f", "");
        row(results, "list p50 ms", r -> r.list() == null ? Double.NaN : r.list().pMs(50), "%.3f", "");
        row(results, "list p99 ms", r -> r.list() == null ? Double.NaN : r.list().pMs(99), "%.3f", "");
        row(results, "list requests/s", r -> r.list() == null ? Double.NaN : r.list().rps(), "%.0f", "");
        System.out.println();
        System.out.println("targets (issue 14):");
        for (SizeResult r : results) {
            if (r.size() == 0) target("RSS with no stacks <= 120 MB", r.idle().rssMaxMb() <= TARGET_RSS_EMPTY_MB, r.idle().rssMaxMb(), "MB");
            if (r.size() == 20) target("first answer at 20 <= 1.5 s", median(r.firstS()) <= TARGET_FIRST_ANSWER_20_S, median(r.firstS()), "s");
            if (r.size() == 100) {
                target("complete list at 100 <= 2 s", median(r.completeS()) <= TARGET_COMPLETE_100_S, median(r.completeS()), "s");
                target("RSS watching, idle, at 100 <= 150 MB", r.watch().rssMaxMb() <= TARGET_RSS_IDLE_MB, r.watch().rssMaxMb(), "MB");
                target("RSS under list load at 100 <= 200 MB", r.load().rssMaxMb() <= TARGET_RSS_LOAD_MB, r.load().rssMaxMb(), "MB");
                target("threads at 100 <= 60", Math.max(r.watch().threadsMax(), r.load().threadsMax()) <= TARGET_THREADS,
                        Math.max(r.watch().threadsMax(), r.load().threadsMax()), "");
                double extra = r.watch().cpuPercent() - r.idle().cpuPercent();
                target("DockUp extra CPU watching <= 3%", extra <= TARGET_CPU_PERCENT, extra, "%");
                double engine = r.watch().dockerdPercent() - r.idle().dockerdPercent();
                target("dockerd extra CPU watching <= 3%", engine <= TARGET_CPU_PERCENT, engine, "%");
            }
        }
        List<Integer> threads = results.stream().filter(r -> r.size() > 0).map(r -> r.watch().threadsMax()).toList();
        if (threads.size() > 1) {
            int spread = Collections.max(threads) - Collections.min(threads);
            target("threads flat as stacks grow (spread <= 4)", spread <= 4, spread, "threads");
        }
    }

    interface Figure {
        double of(SizeResult r);
    }

    static void row(List<SizeResult> results, String label, Figure f, String format, String target) {
        System.out.printf("%-44s", label);
        for (SizeResult r : results) {
            double v = f.of(r);
            System.out.printf(" %12s", Double.isNaN(v) || (v < 0 && !label.contains("extra")) ? "-" : String.format(format, v));
        }
        System.out.printf("   %s%n", target);
    }

    static void target(String what, boolean pass, double actual, String unit) {
        System.out.printf("  %-44s %-4s (%.2f %s)%n", what, pass ? "PASS" : "MISS", actual, unit);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: bench/run FootprintBench [--key=value ...]",
                "  --jar=target/dockup.jar             the DockUp jar to start",
                "  --jvm-options=conf/jvm.options      JVM options file (java @file); empty for none",
                "  --java=<this JVM's java>            java executable",
                "  --sizes=0,20,100,500                numbers of stacks, ascending",
                "  --running=100                       stacks started; those beyond are only created",
                "  --starts=3                          starts per size (start-up times: median)",
                "  --settle-seconds=10                 wait after the list is complete",
                "  --idle-seconds=20                   idle window, no client",
                "  --watch-seconds=30                  window with one client watching stats",
                "  --load-seconds=10                   StacksBench load (after 2 s warm-up)",
                "  --connections=8                     StacksBench connections",
                "  --follow=10                         stacks whose logs the client follows",
                "  --warm-ticks=10                     stats ticks the client gets before its window (the JIT compiles the watch path meanwhile)",
                "  --image=dockup-test/busybox:1",
                "  --compose=docker compose            compose command used to create the stacks",
                "  --prefix=footprint                  stack names <prefix>-1 ..",
                "  --docker-socket=/var/run/docker.sock",
                "  --dockerd-pid=0                     default: /var/run/docker.pid",
                "  --keep=false                        keep stacks and work folder",
                "  --work-dir=                         work folder (default: a new temporary one)",
                "  --reuse=false                       use the stacks a kept run left in --work-dir");

        String jar = "target/dockup.jar";
        String jvmOptions = "conf/jvm.options";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Integer> sizes = List.of(0, 20, 100, 500);
        int running = 100;
        int starts = 3;
        int settleSeconds = 10;
        int idleSeconds = 20;
        int watchSeconds = 30;
        int loadSeconds = 10;
        int connections = 8;
        int follow = 10;
        int warmTicks = 10;
        String image = "dockup-test/busybox:1";
        String compose = "docker compose";
        String prefix = "footprint";
        String dockerSocket = "/var/run/docker.sock";
        int dockerdPid = 0;
        boolean keep = false;
        String workDir = "";
        boolean reuse = false;
        boolean help = false;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            o.help = parseArgs(args, o::set);
            if (o.help) return o;
            if (!Files.isRegularFile(Path.of(o.jar))) throw new UsageException("no jar at " + o.jar + " (mvn package first)");
            if (!o.jvmOptions.isEmpty() && !Files.isRegularFile(Path.of(o.jvmOptions))) {
                throw new UsageException("no JVM options file at " + o.jvmOptions);
            }
            if (o.image.isBlank() || o.image.matches(".*[\\s\"'].*")) throw new UsageException("--image must be a plain image reference");
            checkedName(o.prefix + "-1");
            return o;
        }

        private void set(String key, String v) throws UsageException {
            switch (key) {
                case "jar" -> jar = v;
                case "jvm-options" -> jvmOptions = v;
                case "java" -> java = v;
                case "sizes" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String s : v.split(",")) list.add(intIn(key, s.trim(), 0, 2000));
                    for (int i = 1; i < list.size(); i++) {
                        if (list.get(i) <= list.get(i - 1)) throw new UsageException("--sizes must be ascending");
                    }
                    sizes = list;
                }
                case "running" -> running = intIn(key, v, 0, 2000);
                case "starts" -> starts = intIn(key, v, 1, 20);
                case "settle-seconds" -> settleSeconds = intIn(key, v, 0, 600);
                case "idle-seconds" -> idleSeconds = intIn(key, v, 1, 600);
                case "watch-seconds" -> watchSeconds = intIn(key, v, 1, 600);
                case "load-seconds" -> loadSeconds = intIn(key, v, 1, 300);
                case "connections" -> connections = intIn(key, v, 1, 256);
                case "follow" -> follow = intIn(key, v, 0, 16);
                case "warm-ticks" -> warmTicks = intIn(key, v, 1, 100);
                case "image" -> image = v;
                case "compose" -> compose = v;
                case "prefix" -> prefix = v;
                case "docker-socket" -> dockerSocket = v;
                case "dockerd-pid" -> dockerdPid = intIn(key, v, 0, Integer.MAX_VALUE);
                case "keep" -> keep = bool(key, v);
                case "work-dir" -> workDir = v;
                case "reuse" -> reuse = bool(key, v);
                default -> throw new UsageException("unknown option --" + key);
            }
        }
    }
}
