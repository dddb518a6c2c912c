package dev.dockup.bus;

/**
 * Every event-bus address and message field, in one place. Request/reply services are
 * addressed per node so a request reaches the node that owns the engine and the stack files.
 * Their consumers are local: in a cluster, a member (with or without the secret) cannot reach
 * another node's services directly; requests between nodes will go through a signed gateway.
 */
public final class Bus {
  private Bus() {}

  /** The live feed: every node publishes here, every HTTP verticle forwards it. */
  public static final String EVENTS = "dockup.events";

  /**
   * Published by each feed hub every few seconds while it has clients, with what they watch
   * ({@code {hub, all}} or {@code {hub, stacks}}): stats are read only then, only for those stacks.
   */
  public static final String FEED_DEMAND = "dockup.feed.demand";

  /** Where the lines of one log subscription go (a consumer of the follower's HTTP verticle). */
  public static String logs(String subscription) { return "dockup.logs." + subscription; }

  /** Header on requests naming the action; header on replies carrying the HTTP status. */
  public static final String ACTION = "action";
  public static final String STATUS = "status";

  public static String engine(String node) { return "dockup." + node + ".engine"; }
  public static String stacks(String node) { return "dockup." + node + ".stacks"; }
  public static String updates(String node) { return "dockup." + node + ".updates"; }
  public static String schedules(String node) { return "dockup." + node + ".schedules"; }
  public static String scans(String node) { return "dockup." + node + ".scans"; }
  public static String backups(String node) { return "dockup." + node + ".backups"; }
  public static String fleet(String node) { return "dockup." + node + ".fleet"; }
  public static String templates(String node) { return "dockup." + node + ".templates"; }
  public static String webhooks(String node) { return "dockup." + node + ".webhooks"; }
  public static String metrics(String node) { return "dockup." + node + ".metrics"; }
  /** The only clustered service address of a node: its signed gateway. */
  public static String remote(String node) { return "dockup." + node + ".remote"; }
  /** Answered by a running node: how a newcomer finds out whether its name is taken. */
  public static String ping(String node) { return "dockup." + node + ".ping"; }
  /** Published by every node every few seconds and on change: its entry in the fleet view. */
  public static final String FLEET_NODES = "dockup.fleet.nodes";
  /** Clustered map of every node's sealed fleet entry, kept after the node leaves. */
  public static final String FLEET_MAP = "dockup.fleet";
  /** Clustered map holding the fleet's sealed auth store, under {@link #AUTH_KEY}; also its lock's name. */
  public static final String AUTH_MAP = "dockup.auth";
  public static final String AUTH_KEY = "store";
  /** Published on every change of the fleet's auth store: the sealed store and where to acknowledge it. */
  public static final String AUTH_SYNC = "dockup.auth.sync";
  public static final String AUTH_ACK_PREFIX = "dockup.auth.ack.";
  /** Clustered map of when each fleet-once job last ran. */
  public static final String ONCE_MAP = "dockup.once";
  public static String onceLock(String job) { return "dockup.once." + job; }
  /** Clustered map of remote template catalogs as one node fetched them, sealed, by source key. */
  public static final String TEMPLATES_MAP = "dockup.templates";
  /** Published (clustered) with a source key when a node put a newer catalog in {@link #TEMPLATES_MAP}. */
  public static final String TEMPLATES_SHARED = "dockup.templates.shared";
  /** Local publication of a stack's update state ({@code stack, update_available, last_check}) for its list item. */
  public static String updateState(String node) { return "dockup." + node + ".updates.state"; }
  /**
   * Local publication of stored scan counts per image id, for the stack list items: either
   * {@code images: {id: counts|null}} (all of them) or one {@code image_id, vulnerabilities}.
   */
  public static String scanState(String node) { return "dockup." + node + ".scans.state"; }
  /** Local publication of one compose project's containers, from the engine to the stacks. */
  public static String projectChanged(String node) { return "dockup." + node + ".engine.project"; }
  /** Local publication of the engine's reachability. */
  public static String engineState(String node) { return "dockup." + node + ".engine.state"; }

  /** Engine actions. */
  public static final class Engine {
    private Engine() {}
    public static final String VERSION = "version";
    public static final String SNAPSHOT = "snapshot";
    public static final String LOGS = "logs";
    public static final String REMOVE_UNUSED_IMAGES = "remove-unused-images";
    public static final String FOLLOW_LOGS = "follow-logs";
    public static final String IMAGES = "images";
    public static final String DELETE_IMAGE = "delete-image";
    public static final String PRUNE_IMAGES = "prune-images";
    public static final String NETWORKS = "networks";
    public static final String CREATE_NETWORK = "create-network";
    public static final String DELETE_NETWORK = "delete-network";
    public static final String HOST_STATS = "host-stats";
    public static final String APPDATA = "appdata";
    public static final String IMAGE_DIGESTS = "image-digests";
    public static final String TAG_IMAGE = "tag-image";
    public static final String UNFOLLOW_LOGS = "unfollow-logs";
  }

  /** Stack actions. */
  public static final class Stacks {
    private Stacks() {}
    public static final String LIST = "list";
    public static final String GET = "get";
    public static final String OPERATION = "operation";
    public static final String DELETE = "delete";
    public static final String GET_COMPOSE = "get-compose";
    public static final String PUT_COMPOSE = "put-compose";
    public static final String GET_ENV = "get-env";
    public static final String PUT_ENV = "put-env";
    public static final String VALIDATE = "validate";
    public static final String LOGS = "logs";
    public static final String TRASH = "trash";
    public static final String RESTORE = "restore";
    public static final String OPERATIONS = "operations";
    public static final String GET_OPERATION = "get-operation";
    public static final String INFO = "info";
    /** {@code compose up --no-start}: the containers made, none started (a restore writes volume data into them). */
    public static final String CREATE = "create";
    /** A restore: {@code name, files {compose_file, compose, override_file?, override?, env?}, history?, history_meta?, create_only?, by?}. */
    public static final String REPLACE = "replace";
    public static final String HISTORY = "history";
    public static final String HISTORY_VERSION = "history-version";
    public static final String HISTORY_DIFF = "history-diff";
    public static final String HISTORY_RESTORE = "history-restore";
  }

  /**
   * Backup actions. {@code receive-*} are asked by another node's backup service, through the
   * gateway, while it moves a stack here.
   */
  public static final class Backups {
    private Backups() {}
    public static final String CREATE = "create";
    public static final String LIST = "list";
    public static final String DELETE = "delete";
    public static final String RESTORE = "restore";
    public static final String MOVE = "move";
    /** {@code {file, offset}}: one chunk of a kept archive, for a download through another node. */
    public static final String READ = "read";
    public static final String RECEIVE_BEGIN = "receive-begin";
    public static final String RECEIVE_CHUNK = "receive-chunk";
    public static final String RECEIVE_END = "receive-end";
    public static final String RECEIVE_ABORT = "receive-abort";
  }

  /** Update actions. {@code run} takes {@code stack, mode (check|auto), trigger (schedule|manual)}. */
  public static final class Updates {
    private Updates() {}
    public static final String CHECK = "check";
    public static final String RUN = "run";
    public static final String HISTORY = "history";
  }

  /** Scan actions; {@code image-cves} and {@code scan-all} are for the update and schedule services. */
  public static final class Scans {
    private Scans() {}
    public static final String CONTAINER_SCAN = "container-scan";
    public static final String CONTAINER_STATUS = "container-status";
    public static final String STACK_SCAN = "stack-scan";
    public static final String STACK_SUMMARY = "stack-summary";
    public static final String IMAGE_SCAN = "image-scan";
    public static final String IMAGE_STATUS = "image-status";
    public static final String LIST = "list";
    public static final String CLEAR = "clear";
    public static final String INFO = "info";
    public static final String IMAGE_CVES = "image-cves";
    public static final String SCAN_ALL = "scan-all";
  }

  /** Schedule actions. */
  public static final class Schedules {
    private Schedules() {}
    public static final String GET = "get";
    public static final String PUT = "put";
    public static final String RUN = "run";
  }

  /** Template catalog actions. */
  public static final class Templates {
    private Templates() {}
    public static final String LIST = "list";
    public static final String GET = "get";
    public static final String LOGO = "logo";
    public static final String CATEGORIES = "categories";
    public static final String REFRESH = "refresh";
    public static final String DEPLOY = "deploy";
  }

  /** Message fields. */
  public static final String NAME = "name";
  public static final String NODE = "node";
  public static final String STACK = "stack";
  public static final String OPERATION = "operation";
  public static final String SERVICES = "services";
  public static final String FORCE = "force";
  public static final String FORCE_RECREATE = "force_recreate";
  public static final String DELETE_IMAGES = "delete_images";
  public static final String CONTENT = "content";
  public static final String LINES = "lines";
  public static final String ID = "id";
  public static final String IDS = "ids";
  public static final String CONTAINERS = "containers";
  public static final String PROJECT = "project";
  public static final String ENGINE_OK = "engine_ok";
  public static final String ASYNC = "async";
  /** Who asked for a change: the credential the audit log names (a file's history keeps it). */
  public static final String BY = "by";
}
