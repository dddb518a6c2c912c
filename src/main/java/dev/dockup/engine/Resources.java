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
    Map<String, List<String>> users = containersByImage();
    JsonArray out = new JsonArray();
    for (Object o : engine.get("/images/json").array()) {
      JsonObject img = (JsonObject) o;
      List<String> names = users.getOrDefault(img.getString("Id"), List.of());
      JsonArray tags = new JsonArray();
      JsonArray repoTags = img.getJsonArray("RepoTags", new JsonArray());
      repoTags.forEach(t -> {
        if (!"<none>:<none>".equals(t)) tags.add(t);
      });
      out.add(new JsonObject()
          .put("id", img.getString("Id"))
          .put("tags", tags)
          .put("digests", img.getJsonArray("RepoDigests", new JsonArray()))
          .put("size", img.getLong("Size", 0L))
          .put("created", Instant.ofEpochSecond(img.getLong("Created", 0L)).toString())
          .put("in_use", !names.isEmpty())
          .put("containers", new JsonArray(names)));
    }
    return new JsonObject().put("images", out);
  }

  /** Refused with 409 and the containers while any container uses it, unless forced. */
  JsonObject deleteImage(String ref, boolean force) {
    EngineHttp.Answer inspect = engine.get("/images/" + EngineHttp.encode(ref) + "/json");
    if (inspect.status() == 404) throw ApiException.notFound("Image not found");
    String id = inspect.object().getString("Id");
    List<String> users = containersByImage().getOrDefault(id, List.of());
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
    return new JsonObject().put("success", true).put("id", id).put("removed", removed.array());
  }

  /** Dangling images by default; with {@code all}, every image no container uses. */
  JsonObject pruneImages(boolean all) {
    String filters = EngineHttp.encode(new JsonObject().put("dangling", new JsonArray().add(all ? "false" : "true")).encode());
    EngineHttp.Answer r = engine.post("/images/prune?filters=" + filters, null);
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    JsonArray deleted = r.object().getJsonArray("ImagesDeleted", new JsonArray());
    long count = deleted.stream().filter(d -> d instanceof JsonObject o && o.getString("Deleted") != null).count();
    return new JsonObject().put("success", true)
        .put("space_reclaimed", r.object().getLong("SpaceReclaimed", 0L))
        .put("images_deleted", count);
  }

  /** Image id → the containers (running or not) made from it. */
  Map<String, List<String>> containersByImage() {
    Map<String, List<String>> out = new HashMap<>();
    for (Object o : engine.get("/containers/json?all=1").array()) {
      JsonObject c = (JsonObject) o;
      out.computeIfAbsent(c.getString("ImageID"), k -> new ArrayList<>()).add(name(c));
    }
    return out;
  }

  /** Image id → its {@code RepoDigests}: what the image a container runs was pulled as. */
  JsonObject repoDigests(JsonArray ids) {
    JsonObject out = new JsonObject();
    for (Object id : ids == null ? new JsonArray() : ids) {
      EngineHttp.Answer inspect = engine.get("/images/" + EngineHttp.encode(String.valueOf(id)) + "/json");
      out.put(String.valueOf(id), inspect.ok() ? inspect.object().getJsonArray("RepoDigests", new JsonArray()) : new JsonArray());
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
    Map<String, List<String>> users = containersByNetwork();
    JsonArray out = new JsonArray();
    for (Object o : engine.get("/networks").array()) {
      JsonObject n = (JsonObject) o;
      JsonArray configs = n.getJsonObject("IPAM", new JsonObject()).getJsonArray("Config", new JsonArray());
      JsonObject first = configs.isEmpty() || configs.getValue(0) == null ? new JsonObject() : configs.getJsonObject(0);
      out.add(new JsonObject()
          .put("id", n.getString("Id"))
          .put("name", n.getString("Name"))
          .put("driver", n.getString("Driver"))
          .put("scope", n.getString("Scope"))
          .put("internal", n.getBoolean("Internal", false))
          .put("attachable", n.getBoolean("Attachable", false))
          .put("subnet", first.getString("Subnet"))
          .put("gateway", first.getString("Gateway"))
          .put("containers", new JsonArray(users.getOrDefault(n.getString("Id"), List.of()))));
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
    String subnet = req.getString("subnet");
    String gateway = req.getString("gateway");
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
    return new JsonObject().put("success", true).put("id", r.object().getString("Id")).put("name", name);
  }

  JsonObject deleteNetwork(String ref) {
    EngineHttp.Answer inspect = engine.get("/networks/" + EngineHttp.encode(ref));
    if (inspect.status() == 404) throw ApiException.notFound("Network not found");
    JsonObject n = inspect.object();
    if (BUILT_IN_NETWORKS.contains(n.getString("Name"))) {
      throw ApiException.badRequest("The built-in network " + n.getString("Name") + " cannot be deleted");
    }
    List<String> users = containersByNetwork().getOrDefault(n.getString("Id"), List.of());
    if (!users.isEmpty()) {
      throw new ApiException(409, "Network is in use by " + String.join(", ", users),
          new JsonObject().put("containers", new JsonArray(users)));
    }
    EngineHttp.Answer r = engine.delete("/networks/" + EngineHttp.encode(n.getString("Id")));
    if (r.status() == 404) throw ApiException.notFound("Network not found");
    if (r.status() == 403 || r.status() == 409) throw new ApiException(409, r.message(), new JsonObject().put("containers", new JsonArray()));
    if (!r.ok()) throw new ApiException(500, "Engine refused: " + r.message());
    return new JsonObject().put("success", true);
  }

  /** Network id → names of the containers attached, from one container listing. */
  private Map<String, List<String>> containersByNetwork() {
    Map<String, List<String>> out = new HashMap<>();
    for (Object o : engine.get("/containers/json?all=1").array()) {
      JsonObject c = (JsonObject) o;
      JsonObject nets = c.getJsonObject("NetworkSettings", new JsonObject()).getJsonObject("Networks", new JsonObject());
      for (String net : nets.fieldNames()) {
        String id = nets.getJsonObject(net).getString("NetworkID");
        if (id != null && !id.isEmpty()) out.computeIfAbsent(id, k -> new ArrayList<>()).add(name(c));
      }
    }
    return out;
  }

  private static String name(JsonObject c) {
    JsonArray names = c.getJsonArray("Names", new JsonArray());
    return names.isEmpty() ? c.getString("Id", "").substring(0, 12) : names.getString(0).replaceFirst("^/", "");
  }

  private static boolean bool(JsonObject req, String key) {
    Object v = req.getValue(key);
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    throw ApiException.badRequest(key + " must be true or false");
  }
}
