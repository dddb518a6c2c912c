package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A password change ends every other session and JWT; the caller's own session goes on. */
class PasswordChangeIT {
  @Test
  void anOlderSessionIsRefusedAfterAPasswordChange() throws Exception {
    try (TestNode node = TestNode.builder().start()) {
      Http anon = node.http.anonymous();
      Http first = login(anon, TestNode.PASSWORD);
      Http second = login(anon, TestNode.PASSWORD);
      assertEquals(200, first.get("/api/stacks").status());

      assertEquals(400, second.post("/api/auth/change-password",
          new JsonObject().put("current", TestNode.PASSWORD).put("new_password", "short")).status());
      assertEquals(401, second.post("/api/auth/change-password",
          new JsonObject().put("current", "wrong-password").put("new_password", "a-new-password-2")).status());
      Http.Resp changed = second.post("/api/auth/change-password",
          new JsonObject().put("current", TestNode.PASSWORD).put("new_password", "a-new-password-2"));
      assertEquals(200, changed.status(), changed.toString());
      String renewed = changed.headers().firstValue("set-cookie").orElseThrow();

      assertEquals(401, first.get("/api/stacks").status(), "the other session ended");
      assertEquals(401, node.http.get("/api/stacks").status(), "JWTs from before the change ended");
      assertEquals(200, anon.with("Cookie", renewed.substring(0, renewed.indexOf(';'))).get("/api/stacks").status());
      assertEquals(401, anon.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD)).status());
      assertEquals(200, login(anon, "a-new-password-2").get("/api/stacks").status());
    }
  }

  static Http login(Http anon, String password) {
    Http.Resp r = anon.post("/api/auth/login", new JsonObject().put("password", password));
    assertEquals(200, r.status(), r.toString());
    String c = r.headers().firstValue("set-cookie").orElseThrow();
    return anon.with("Cookie", c.substring(0, c.indexOf(';')));
  }
}
