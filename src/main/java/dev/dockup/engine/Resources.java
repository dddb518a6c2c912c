package dev.dockup.engine;

import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Images and networks, each answered from one listing of them and one of containers, never one
 * engine call per item. Blocking: run on a worker.
 */
final class Resources {
  static final Set<String> BUILT_IN_NETWORKS = Set.of("bridge", "host", "none");
  private static final Pattern NETWORK_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$");
  private static final Pattern CIDR = Pattern.compile("^[0-9a-fA-F:.]+/\\d{1,3}$");
  private static final Pattern IP = Pattern.compile("^[0-9a-fA-F:.]+$");

  private final EngineHttp engine;

  Resources(EngineHttp engine) {
    this.engine = engine;
  }

  // ---- images ----

  JsonObject images() {
    return imageList(engine.get("/images/json").array(), containersByImage());
  }

  /** The {@code /api/images} answer from the engine's image and container listings. */
  static JsonObject imageList(JsonArray images, Map<String, List<String>> users) {
    JsonArray out = new JsonArray();
    for (JsonObject img : EngineJson.objects(images)) {
      String id = EngineJson.string(img, "Id");
      List<String> names = id == null ? List.of() : users.getOrDefault(id, List.of());
      JsonArray tags = new JsonArray();
      EngineJson.strings(EngineJson.array(img, "RepoTags")).forEach(t -> {
        if (!"<none>:<none>".equals(t)) tags.add(t);
      });
      out.add(new JsonObject()
          .put("id", id)
          .put("tags", tags)
          .put("digests", new JsonArray(EngineJson.strings(EngineJson.array(img, "RepoDigests"))))
          .put("size", EngineJson.number(img, "Size", 0))
          .put("created", Instant.ofEpochSecond(EngineJson.number(img, "Created", 0)).toString())
          .put("in_use", !names.isEmpty())
          .put("containers", new JsonArray(names)));
    }
    return new JsonObject().put("images", out);
  }

  /** Refused with 409 and the containers while any container uses it, unless forced. */
  /** Removes an unused image, never forced: the engine's status (2xx removed, 404 gone, 409 in use or another error). */
  int removeImage(String id) {
    return engine.delete("/images/" + EngineHttp.encode(id) + "?force=false").status();
  }

  JsonObject deleteImage(String ref, boolean force) {
    EngineHttp.Answer inspect = engine.get("/images/" + EngineHttp.encode(ref) + "/json");
    if (inspect.status() == 404) throw ApiException.notFound("Image not found");
    if (!inspect.ok()) throw new ApiException(500, "Engine refused: " + inspect.message());
    String id = EngineJson.string(inspect.object(), "Id");
    List<String> users = id == null ? List.of() : containersByImage().getOrDefault(id, List.of());
    if (!users.isEmpty() && !force) {
      throw new ApiException(409, "Image is in use by " + String.join(", ", users),
          new JsonObject().put("containers", new JsonArray(users)));
    }
    EngineHttp.Answer removed = engine.delete("/images/" + EngineHttp.encode(ref) + "?force=" + force);
    if (removed.status() == 404) throw ApiException.notFound("Image not found");
    if (removed.status() == 409) {
      throw new ApiException(409, removed.message(), new JsonObject().put("containers", new JsonArray(users)));
    }
    if (!removed.ok()) throw new ApiException(500, "Engine refused: " + removed.message());
    return new JsonObject().put("success", true).put("id", id).put("removed", new JsonArray(EngineJson.objects(removed.array())));
  }

  /** Dangling images by default; with {@code all}, every image no container uses. */
  JsonObject pruneImages(boolean all) {
    String filters = EngineHttp.encode(new JsonObject().put("dangling", new JsonArray().add(all ? "false" : "true")).encode());
    EngineHttp.Answer r = engine.post("/images/prune?filters=" + filters, null);
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    return pruned(r.object());
  }

  /** The prune answer; with nothing to prune the engine sends {@code "ImagesDeleted": null}. */
  static JsonObject pruned(JsonObject answer) {
    long count = EngineJson.objects(EngineJson.array(answer, "ImagesDeleted")).stream()
        .filter(d -> EngineJson.string(d, "Deleted") != null).count();
    return new JsonObject().put("success", true)
        .put("space_reclaimed", EngineJson.number(answer, "SpaceReclaimed", 0))
        .put("images_deleted", count);
  }

  /** Image id → the containers (running or not) made from it. */
  Map<String, List<String>> containersByImage() {
    return byImage(engine.get("/containers/json?all=1").array());
  }

  static Map<String, List<String>> byImage(JsonArray containers) {
    Map<String, List<String>> out = new HashMap<>();
    for (JsonObject c : EngineJson.objects(containers)) {
      String image = EngineJson.string(c, "ImageID");
      if (image != null) out.computeIfAbsent(image, k -> new ArrayList<>()).add(name(c));
    }
    return out;
  }

  /** Image id → its {@code RepoDigests}: what the image a container runs was pulled as. */
  JsonObject repoDigests(JsonArray ids) {
    JsonObject out = new JsonObject();
    for (Object id : ids == null ? new JsonArray() : ids) {
      EngineHttp.Answer inspect = engine.get("/images/" + EngineHttp.encode(String.valueOf(id)) + "/json");
      out.put(String.valueOf(id), inspect.ok() ? new JsonArray(EngineJson.strings(EngineJson.array(inspect.object(), "RepoDigests")))
          : new JsonArray());
    }
    return new JsonObject().put("digests", out);
  }

  /** Points {@code ref} (repo:tag) at the image {@code id} again: how a failed update is rolled back. */
  JsonObject tag(String id, String ref) {
    int at = ref.lastIndexOf(':');
    boolean hasTag = at > ref.lastIndexOf('/');
    String repo = hasTag ? ref.substring(0, at) : ref;
    String tag = hasTag ? ref.substring(at + 1) : "latest";
    EngineHttp.Answer r = engine.post("/images/" + EngineHttp.encode(id) + "/tag?repo=" + EngineHttp.encode(repo)
        + "&tag=" + EngineHttp.encode(tag), null);
    if (r.status() == 404) throw ApiException.notFound("Image not found");
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    return new JsonObject().put("success", true);
  }

  // ---- networks ----

  JsonObject networks() {
    return networkList(engine.get("/networks").array(), byNetwork(engine.get("/containers/json?all=1").array()));
  }

  /** The {@code /api/networks} answer; a network without IPAM settings has no subnet or gateway. */
  static JsonObject networkList(JsonArray networks, Map<String, List<String>> users) {
    JsonArray out = new JsonArray();
    for (JsonObject n : EngineJson.objects(networks)) {
      List<JsonObject> configs = EngineJson.objects(EngineJson.array(EngineJson.object(n, "IPAM"), "Config"));
      JsonObject first = configs.isEmpty() ? new JsonObject() : configs.get(0);
      String id = EngineJson.string(n, "Id");
      out.add(new JsonObject()
          .put("id", id)
          .put("name", EngineJson.string(n, "Name"))
          .put("driver", EngineJson.string(n, "Driver"))
          .put("scope", EngineJson.string(n, "Scope"))
          .put("internal", EngineJson.bool(n, "Internal"))
          .put("attachable", EngineJson.bool(n, "Attachable"))
          .put("subnet", EngineJson.string(first, "Subnet"))
          .put("gateway", EngineJson.string(first, "Gateway"))
          .put("containers", new JsonArray(id == null ? List.of() : users.getOrDefault(id, List.of()))));
    }
    return new JsonObject().put("networks", out);
  }

  JsonObject createNetwork(JsonObject req) {
    String name = req.getValue("name") instanceof String s ? s : null;
    if (name == null || !NETWORK_NAME.matcher(name).matches()) throw ApiException.badRequest("Invalid network name");
    String driver = req.getValue("driver") == null ? "bridge" : String.valueOf(req.getValue("driver"));
    if (!driver.matches("^[a-z0-9][a-z0-9_.-]{0,63}$")) throw ApiException.badRequest("Invalid driver");
    JsonObject body = new JsonObject().put("Name", name).put("Driver", driver).put("CheckDuplicate", true)
        .put("Internal", bool(req, "internal")).put("Attachable", bool(req, "attachable"));
    String subnet = text(req, "subnet");
    String gateway = text(req, "gateway");
    if (subnet != null && !subnet.isBlank()) {
      if (!CIDR.matcher(subnet).matches()) throw ApiException.badRequest("subnet must be CIDR, e.g. 10.10.0.0/24");
      JsonObject cfg = new JsonObject().put("Subnet", subnet);
      if (gateway != null && !gateway.isBlank()) {
        if (!IP.matcher(gateway).matches()) throw ApiException.badRequest("gateway must be an IP address");
        cfg.put("Gateway", gateway);
      }
      body.put("IPAM", new JsonObject().put("Driver", "default").put("Config", new JsonArray().add(cfg)));
    } else if (gateway != null && !gateway.isBlank()) {
      throw ApiException.badRequest("gateway needs a subnet");
    }
    EngineHttp.Answer r = engine.post("/networks/create", body);
    if (r.status() == 409) throw ApiException.conflict("A network named " + name + " already exists");
    if (r.status() == 400) throw ApiException.badRequest(r.message());
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    return new JsonObject().put("success", true).put("id", EngineJson.string(r.object(), "Id")).put("name", name);
  }

  JsonObject deleteNetwork(String ref) {
    EngineHttp.Answer inspect = engine.get("/networks/" + EngineHttp.encode(ref));
    if (inspect.status() == 404) throw ApiException.notFound("Network not found");
    if (!inspect.ok()) throw new ApiException(500, "Engine refused: " + inspect.message());
    JsonObject n = inspect.object();
    String name = EngineJson.string(n, "Name");
    String id = EngineJson.string(n, "Id");
    if (name != null && BUILT_IN_NETWORKS.contains(name)) {
      throw ApiException.badRequest("The built-in network " + name + " cannot be deleted");
    }
    if (id == null) throw ApiException.notFound("Network not found");
    List<String> users = byNetwork(engine.get("/containers/json?all=1").array()).getOrDefault(id, List.of());
    if (!users.isEmpty()) {
      throw new ApiException(409, "Network is in use by " + String.join(", ", users),
          new JsonObject().put("containers", new JsonArray(users)));
    }
    EngineHttp.Answer r = engine.delete("/networks/" + EngineHttp.encode(id));
    if (r.status() == 404) throw ApiException.notFound("Network not found");
    if (r.status() == 403 || r.status() == 409) throw new ApiException(409, r.message(), new JsonObject().put("containers", new JsonArray()));
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    return new JsonObject().put("success", true);
  }

  /** Network id → names of the containers attached, from one container listing. */
  static Map<String, List<String>> byNetwork(JsonArray containers) {
    Map<String, List<String>> out = new HashMap<>();
    for (JsonObject c : EngineJson.objects(containers)) {
      JsonObject nets = EngineJson.object(EngineJson.object(c, "NetworkSettings"), "Networks");
      for (String net : nets.fieldNames()) {
        String id = EngineJson.string(EngineJson.object(nets, net), "NetworkID");
        if (id != null && !id.isEmpty()) out.computeIfAbsent(id, k -> new ArrayList<>()).add(name(c));
      }
    }
    return out;
  }

  private static String name(JsonObject c) {
    List<String> names = EngineJson.strings(EngineJson.array(c, "Names"));
    if (!names.isEmpty()) return names.get(0).replaceFirst("^/", "");
    String id = EngineJson.string(c, "Id");
    return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
  }

  private static String text(JsonObject req, String key) {
    Object v = req.getValue(key);
    if (v == null || v instanceof String) return (String) v;
    throw ApiException.badRequest(key + " must be a string");
  }

  private static boolean bool(JsonObject req, String key) {
    Object v = req.getValue(key);
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    throw ApiException.badRequest(key + " must be true or false");
  }
}
