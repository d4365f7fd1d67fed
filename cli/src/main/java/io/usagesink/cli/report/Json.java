package io.usagesink.cli.report;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Shared, immutable (thread-safe) Jackson writers of the command line's JSON output. */
public final class Json {
  private Json() {}

  /** Reads JSON (tests, report inputs). */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  /** Writes indented JSON, two spaces, one key or array element a line. */
  public static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));
}
