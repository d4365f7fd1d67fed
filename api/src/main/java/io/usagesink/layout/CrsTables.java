package io.usagesink.layout;

import static io.usagesink.Measure.ALL_TOKENS;
import static io.usagesink.Measure.CACHE_CREATE_TOKENS;
import static io.usagesink.Measure.CACHE_READ_TOKENS;
import static io.usagesink.Measure.CORE_TOKENS;
import static io.usagesink.Measure.EPHEMERAL_1H_TOKENS;
import static io.usagesink.Measure.EPHEMERAL_5M_TOKENS;
import static io.usagesink.Measure.INPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_INPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_OUTPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_REQUESTS;
import static io.usagesink.Measure.OUTPUT_TOKENS;
import static io.usagesink.Measure.REQUESTS;
import static io.usagesink.layout.LayoutTable.field;
import static io.usagesink.layout.LayoutTable.longContextField;

import io.usagesink.layout.LayoutTable.FieldDef;
import io.usagesink.layout.LayoutTable.KeyDef;
import io.usagesink.layout.LayoutTable.Section;
import io.usagesink.layout.LayoutTable.SectionBuilder;
import io.usagesink.layout.LayoutTable.Subject;
import io.usagesink.layout.LayoutTable.Ttl;
import java.util.Arrays;
import java.util.List;

/**
 * The CRS statistics layouts as tables. {@link #REFERENCE_2025} is {@code
 * shared/reference/crs-usage-layout.md} sections 5 and 6, row by row: the same keys, fields in the
 * same order, the same TTLs and the same EXPIRE order.
 */
final class CrsTables {

  private static final Ttl DAY_TTL = Ttl.days(32); // 2764800 s
  private static final Ttl MONTH_TTL = Ttl.days(365); // 31536000 s
  private static final Ttl HOUR_TTL = Ttl.days(7); // 604800 s
  private static final Ttl MINUTE_TTL = Ttl.perMetricsWindowMinute(120); // 5 min -> 600 s

  /**
   * The reference (2025, commit e187b894) layout of {@code incrementTokenUsage} + {@code
   * incrementAccountUsage}.
   */
  static final LayoutTable REFERENCE_2025 =
      new LayoutTable("crs-2025", List.of(tokenUsage2025(), accountUsage2025()));

  private CrsTables() {}

  /** Spec section 5: 80 HINCRBY + 10 EXPIRE (+6 HINCRBY with long context). */
  private static Section tokenUsage2025() {
    SectionBuilder s = new SectionBuilder(Subject.API_KEY);
    KeyDef total = s.key("usage:{keyId}", Ttl.NONE);
    KeyDef daily = s.key("usage:daily:{keyId}:{day}", DAY_TTL);
    KeyDef monthly = s.key("usage:monthly:{keyId}:{month}", MONTH_TTL);
    KeyDef modelDaily = s.key("usage:model:daily:{model}:{day}", DAY_TTL);
    KeyDef modelMonthly = s.key("usage:model:monthly:{model}:{month}", MONTH_TTL);
    KeyDef keyModelDaily = s.key("usage:{keyId}:model:daily:{model}:{day}", DAY_TTL);
    KeyDef keyModelMonthly = s.key("usage:{keyId}:model:monthly:{model}:{month}", MONTH_TTL);
    KeyDef hourly = s.key("usage:hourly:{keyId}:{hour}", HOUR_TTL);
    KeyDef modelHourly = s.key("usage:model:hourly:{model}:{hour}", HOUR_TTL);
    KeyDef keyModelHourly = s.key("usage:{keyId}:model:hourly:{model}:{hour}", HOUR_TTL);
    KeyDef minute = s.key("system:metrics:minute:{minute}", MINUTE_TTL);

    FieldDef[] periodFields = {
      field("tokens", CORE_TOKENS),
      field("inputTokens", INPUT_TOKENS),
      field("outputTokens", OUTPUT_TOKENS),
      field("cacheCreateTokens", CACHE_CREATE_TOKENS),
      field("cacheReadTokens", CACHE_READ_TOKENS),
      field("allTokens", ALL_TOKENS),
      field("requests", REQUESTS),
      field("ephemeral5mTokens", EPHEMERAL_5M_TOKENS),
      field("ephemeral1hTokens", EPHEMERAL_1H_TOKENS)
    };
    FieldDef[] modelFields = {
      field("inputTokens", INPUT_TOKENS), field("outputTokens", OUTPUT_TOKENS),
      field("cacheCreateTokens", CACHE_CREATE_TOKENS), field("cacheReadTokens", CACHE_READ_TOKENS),
      field("allTokens", ALL_TOKENS), field("requests", REQUESTS)
    };
    FieldDef[] keyModelFields =
        concat(
            modelFields,
            field("ephemeral5mTokens", EPHEMERAL_5M_TOKENS),
            field("ephemeral1hTokens", EPHEMERAL_1H_TOKENS));
    FieldDef[] hourlyFields = {
      field("tokens", CORE_TOKENS),
      field("inputTokens", INPUT_TOKENS),
      field("outputTokens", OUTPUT_TOKENS),
      field("cacheCreateTokens", CACHE_CREATE_TOKENS),
      field("cacheReadTokens", CACHE_READ_TOKENS),
      field("allTokens", ALL_TOKENS),
      field("requests", REQUESTS)
    };

    return s.counters(
            total,
            field("totalTokens", CORE_TOKENS),
            field("totalInputTokens", INPUT_TOKENS),
            field("totalOutputTokens", OUTPUT_TOKENS),
            field("totalCacheCreateTokens", CACHE_CREATE_TOKENS),
            field("totalCacheReadTokens", CACHE_READ_TOKENS),
            field("totalAllTokens", ALL_TOKENS),
            field("totalEphemeral5mTokens", EPHEMERAL_5M_TOKENS),
            field("totalEphemeral1hTokens", EPHEMERAL_1H_TOKENS),
            longContextField("totalLongContextInputTokens", LONG_CONTEXT_INPUT_TOKENS),
            longContextField("totalLongContextOutputTokens", LONG_CONTEXT_OUTPUT_TOKENS),
            longContextField("totalLongContextRequests", LONG_CONTEXT_REQUESTS),
            field("totalRequests", REQUESTS))
        .counters(
            daily,
            concat(
                periodFields,
                longContextField("longContextInputTokens", LONG_CONTEXT_INPUT_TOKENS),
                longContextField("longContextOutputTokens", LONG_CONTEXT_OUTPUT_TOKENS),
                longContextField("longContextRequests", LONG_CONTEXT_REQUESTS)))
        .counters(monthly, periodFields)
        .counters(modelDaily, modelFields)
        .counters(modelMonthly, modelFields)
        .counters(keyModelDaily, keyModelFields)
        .counters(keyModelMonthly, keyModelFields)
        .counters(hourly, hourlyFields)
        .counters(modelHourly, modelFields)
        .counters(keyModelHourly, modelFields)
        .counters(
            minute,
            field("requests", REQUESTS),
            field("totalTokens", ALL_TOKENS), // totalTokens is ALL here
            field("inputTokens", INPUT_TOKENS),
            field("outputTokens", OUTPUT_TOKENS),
            field("cacheCreateTokens", CACHE_CREATE_TOKENS),
            field("cacheReadTokens", CACHE_READ_TOKENS))
        .expireInOrder(
            daily,
            monthly,
            hourly,
            modelDaily,
            modelMonthly,
            modelHourly,
            keyModelDaily,
            keyModelMonthly,
            keyModelHourly,
            minute);
  }

  /**
   * Spec section 6: 52 HINCRBY + 6 EXPIRE (+6 HINCRBY with long context). In CRS the six
   * long-context HINCRBYs follow the EXPIREs; here they are the last counters, before the EXPIREs
   * (a plan sends all counters first). The Redis end state is the same.
   */
  private static Section accountUsage2025() {
    SectionBuilder s = new SectionBuilder(Subject.ACCOUNT);
    KeyDef total = s.key("account_usage:{accountId}", Ttl.NONE);
    KeyDef daily = s.key("account_usage:daily:{accountId}:{day}", DAY_TTL);
    KeyDef monthly = s.key("account_usage:monthly:{accountId}:{month}", MONTH_TTL);
    KeyDef hourly = s.key("account_usage:hourly:{accountId}:{hour}", HOUR_TTL);
    KeyDef modelDaily = s.key("account_usage:model:daily:{accountId}:{model}:{day}", DAY_TTL);
    KeyDef modelMonthly =
        s.key("account_usage:model:monthly:{accountId}:{model}:{month}", MONTH_TTL);
    KeyDef modelHourly = s.key("account_usage:model:hourly:{accountId}:{model}:{hour}", HOUR_TTL);

    FieldDef[] periodFields = {
      field("tokens", CORE_TOKENS),
      field("inputTokens", INPUT_TOKENS),
      field("outputTokens", OUTPUT_TOKENS),
      field("cacheCreateTokens", CACHE_CREATE_TOKENS),
      field("cacheReadTokens", CACHE_READ_TOKENS),
      field("allTokens", ALL_TOKENS),
      field("requests", REQUESTS)
    };
    FieldDef[] modelFields = {
      field("inputTokens", INPUT_TOKENS), field("outputTokens", OUTPUT_TOKENS),
      field("cacheCreateTokens", CACHE_CREATE_TOKENS), field("cacheReadTokens", CACHE_READ_TOKENS),
      field("allTokens", ALL_TOKENS), field("requests", REQUESTS)
    };

    return s.counters(
            total,
            field("totalTokens", CORE_TOKENS),
            field("totalInputTokens", INPUT_TOKENS),
            field("totalOutputTokens", OUTPUT_TOKENS),
            field("totalCacheCreateTokens", CACHE_CREATE_TOKENS),
            field("totalCacheReadTokens", CACHE_READ_TOKENS),
            field("totalAllTokens", ALL_TOKENS),
            field("totalRequests", REQUESTS))
        .counters(daily, periodFields)
        .counters(monthly, periodFields)
        .counters(
            hourly,
            concat(
                periodFields,
                field("model:{model}:inputTokens", INPUT_TOKENS),
                field("model:{model}:outputTokens", OUTPUT_TOKENS),
                field("model:{model}:cacheCreateTokens", CACHE_CREATE_TOKENS),
                field("model:{model}:cacheReadTokens", CACHE_READ_TOKENS),
                field("model:{model}:allTokens", ALL_TOKENS),
                field("model:{model}:requests", REQUESTS)))
        .counters(modelDaily, modelFields)
        .counters(modelMonthly, modelFields)
        .counters(modelHourly, modelFields)
        .counters(
            total,
            longContextField("totalLongContextInputTokens", LONG_CONTEXT_INPUT_TOKENS),
            longContextField("totalLongContextOutputTokens", LONG_CONTEXT_OUTPUT_TOKENS),
            longContextField("totalLongContextRequests", LONG_CONTEXT_REQUESTS))
        .counters(
            daily,
            longContextField("longContextInputTokens", LONG_CONTEXT_INPUT_TOKENS),
            longContextField("longContextOutputTokens", LONG_CONTEXT_OUTPUT_TOKENS),
            longContextField("longContextRequests", LONG_CONTEXT_REQUESTS))
        .expireInOrder(daily, monthly, hourly, modelDaily, modelMonthly, modelHourly);
  }

  private static FieldDef[] concat(FieldDef[] first, FieldDef... more) {
    FieldDef[] all = Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
