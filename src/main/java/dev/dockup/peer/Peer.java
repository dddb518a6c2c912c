package dev.dockup.peer;

import io.vertx.core.json.JsonObject;

/**
 * Another DockUp instance, outside the cluster, reached over HTTP with its API token. The token
 * is held sealed ({@code v1:…} from the SecretBox) and is opened only to build a request
 * header: it is in neither {@link #view()} nor {@link #toString()}.
 */
public record Peer(String id, String name, String url, boolean enabled, String sealedToken) {

  public boolean tokenSet() {
    return sealedToken != null;
  }

  /** What the API shows. */
  public JsonObject view() {
    return new JsonObject().put("id", id).put("name", name).put("url", url).put("enabled", enabled)
        .put("api_token_set", tokenSet());
  }

  /** What {@code peers.json} holds. */
  JsonObject stored() {
    JsonObject out = new JsonObject().put("id", id).put("name", name).put("url", url).put("enabled", enabled);
    if (sealedToken != null) out.put(PeerService.SEALED_TOKEN, sealedToken);
    return out;
  }

  @Override
  public String toString() {
    return "Peer[id=" + id + ", url=" + url + ", enabled=" + enabled + ", api_token_set=" + tokenSet() + "]";
  }
}
