package dev.dockup.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference read the way Docker reads it ({@code distribution/reference}'s normalised
 * form), so that DockUp asks a registry about the same image the engine would pull.
 *
 * @param registry   the registry as Docker names it: {@code docker.io}, {@code ghcr.io},
 *                   {@code 127.0.0.1:5555}
 * @param repository the path inside the registry; Docker Hub's official images get {@code library/}
 * @param tag        the tag; {@code latest} when neither tag nor digest is given, null when the
 *                   reference is pinned by digest alone
 * @param digest     {@code sha256:<hex>} when pinned, else null
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DOCKER_HUB_API = "registry-1.docker.io";
  public static final String DEFAULT_TAG = "latest";

  // The grammar of distribution/reference. Path components are lower case; the registry part
  // is a host name (any case), an IPv4 address or a bracketed IPv6 address, with an optional port.
  private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final Pattern PATH = Pattern.compile(PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");
  /** A bare image id: Docker refuses it as a name, since it would be ambiguous. */
  private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");
  private static final int MAX_NAME_LENGTH = 255;

  public ImageRef {
    if (registry == null || repository == null) throw new IllegalArgumentException("registry and repository are required");
    if (tag == null && digest == null) tag = DEFAULT_TAG;
  }

  /** Parses {@code [registry/]path[:tag][@digest]}; anything Docker would refuse → IllegalArgumentException. */
  public static ImageRef parse(String reference) {
    if (reference == null || reference.isEmpty()) throw invalid(reference, "empty");
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) throw invalid(reference, "bad digest");
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) throw invalid(reference, "bad tag");
    }
    if (rest.length() > MAX_NAME_LENGTH) throw invalid(reference, "name too long");
    if (IMAGE_ID.matcher(rest).matches() && tag == null && digest == null) {
      throw invalid(reference, "a 64-character hexadecimal string is an image id, not a name");
    }
    String[] split = splitRegistry(rest);
    String registry = split[0];
    String path = split[1];
    if (!DOMAIN.matcher(registry).matches()) throw invalid(reference, "bad registry");
    if (!path.toLowerCase(Locale.ROOT).equals(path)) throw invalid(reference, "repository name must be lowercase");
    if (!PATH.matcher(path).matches()) throw invalid(reference, "bad repository name");
    if (registry.equals(DOCKER_HUB) && path.indexOf('/') < 0) path = "library/" + path;
    return new ImageRef(registry, path, tag, digest);
  }

  /**
   * Docker's rule: the first component names a registry when it has a dot or a colon, is
   * {@code localhost}, or has an upper-case letter (path components never do); otherwise the
   * image is on Docker Hub. {@code index.docker.io} is Docker Hub's old name.
   */
  private static String[] splitRegistry(String name) {
    int slash = name.indexOf('/');
    if (slash < 0) return new String[] {DOCKER_HUB, name};
    String first = name.substring(0, slash);
    boolean isRegistry = first.contains(".") || first.contains(":") || first.equals("localhost")
        || !first.toLowerCase(Locale.ROOT).equals(first);
    if (!isRegistry) return new String[] {DOCKER_HUB, name};
    if (first.equals("index.docker.io")) first = DOCKER_HUB;
    return new String[] {first, name.substring(slash + 1)};
  }

  private static IllegalArgumentException invalid(String reference, String why) {
    return new IllegalArgumentException("Invalid image reference '" + reference + "': " + why);
  }

  /** Whether a string is a digest as registries give it ({@code Docker-Content-Digest}). */
  static boolean isDigest(String s) {
    return s != null && DIGEST.matcher(s).matches();
  }

  public boolean pinned() {
    return digest != null;
  }

  /** The host (and port) that serves the registry API: Docker Hub's differs from its name. */
  public String apiHost() {
    return apiHost(registry);
  }

  public static String apiHost(String registry) {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** What a manifest request names: the tag when there is one, else the pinned digest. */
  public String manifestReference() {
    return tag != null ? tag : digest;
  }

  /** The fully qualified form, e.g. {@code docker.io/library/nginx:latest}. */
  public String canonical() {
    StringBuilder out = new StringBuilder(registry).append('/').append(repository);
    if (tag != null) out.append(':').append(tag);
    if (digest != null) out.append('@').append(digest);
    return out.toString();
  }

  @Override
  public String toString() {
    return canonical();
  }
}
