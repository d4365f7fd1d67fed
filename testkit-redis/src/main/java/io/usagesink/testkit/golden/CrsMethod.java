package io.usagesink.testkit.golden;

/** The CRS method a golden event called. */
public enum CrsMethod {
  /**
   * {@code incrementTokenUsage}: per-API-key usage ({@code usage:*} and the system minute hash).
   */
  INCREMENT_TOKEN_USAGE("incrementTokenUsage"),
  /** {@code incrementAccountUsage}: per-account usage ({@code account_usage:*}). */
  INCREMENT_ACCOUNT_USAGE("incrementAccountUsage");

  private final String jsName;

  CrsMethod(String jsName) {
    this.jsName = jsName;
  }

  /** The method name as written in the golden file and in CRS. */
  public String jsName() {
    return jsName;
  }

  /**
   * The method with the given JS name.
   *
   * @throws IllegalArgumentException naming the unknown method and the known ones
   */
  public static CrsMethod fromJsName(String name) {
    for (CrsMethod m : values()) {
      if (m.jsName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown CRS method \"" + name + "\"; known: incrementTokenUsage, incrementAccountUsage");
  }
}
