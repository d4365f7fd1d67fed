package io.usagesink.cli;

import io.usagesink.cli.events.Durations;
import io.usagesink.redis.RedisOptions;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters whose messages name the value and what is allowed; picocli adds the option:
 * {@code Invalid value for option '--flush-interval': 'abc' is not a duration like 500ms, 60s, 5m,
 * 1h or PT1S}.
 */
final class Converters {
  private Converters() {}

  /** A positive duration ({@code 500ms}, {@code 60s}, {@code PT1S}). */
  static final class PositiveDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parsePositive(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A zone id ({@code UTC}, {@code +08:00}, {@code Asia/Shanghai}). */
  static final class Zone implements ITypeConverter<ZoneId> {
    @Override
    public ZoneId convert(String value) {
      try {
        return ZoneId.of(value.trim());
      } catch (DateTimeException e) {
        throw new TypeConversionException(
            "'"
                + value
                + "' is not a zone; use UTC, an offset like +08:00, "
                + "or a region like Asia/Shanghai");
      }
    }
  }

  /** A Redis URI; the message shows it with the password masked. */
  static final class RedisUri implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return RedisOptions.checkUri(value);
      } catch (IllegalArgumentException | io.usagesink.ConfigurationException e) {
        throw new TypeConversionException(Secrets.of(value).scrub(e.getMessage()));
      }
    }
  }

  /** A positive number of events per second. */
  static final class Rate implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double d;
      try {
        d = Double.parseDouble(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException(
            "'"
                + value
                + "' is not a number; use a positive number of events per second, e.g. 500");
      }
      if (!(d > 0) || Double.isInfinite(d)) {
        throw new TypeConversionException(
            "'" + value + "' must be a positive number of events per second, e.g. 500");
      }
      return d;
    }
  }

  /** A positive whole number. */
  static final class PositiveLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long n;
      try {
        n = Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException(
            "'" + value + "' is not a whole number; use a positive whole number");
      }
      if (n <= 0) {
        throw new TypeConversionException("'" + value + "' must be a positive whole number");
      }
      return n;
    }
  }
}
