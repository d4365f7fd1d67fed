package io.usagesink.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.usagesink.cli.compare.RunResult;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the report's column model")
class ColumnTest {

  @Test
  void peopleReadThreeSignificantFiguresBelowAHundredAndWholeNumbersAbove() {
    assertThat(Column.BILLED_COMMANDS.text(148.004)).isEqualTo("148");
    assertThat(Column.BILLED_COMMANDS.text(48)).isEqualTo("48.0");
    assertThat(Column.BILLED_COMMANDS.text(1.0003)).isEqualTo("1.00");
    assertThat(Column.BILLED_COMMANDS.text(0.012345)).isEqualTo("0.0123");
    assertThat(Column.P99_MICROS.text(48.7)).isEqualTo("48.7");
    assertThat(Column.EVENTS_PER_SECOND.text(21_000_000)).isEqualTo("21,000,000");
    assertThat(Column.EVENTS.text(40_000)).isEqualTo("40,000");
    assertThat(Column.USD_PER_MONTH.text(1234.5)).isEqualTo("1,234.50");
    assertThat(Column.EVENTS_PER_SECOND.textWithUnit(4_321.5)).isEqualTo("4,322/s");
    assertThat(Column.MAX_MICROS.textWithUnit(1_234.5)).isEqualTo("1,235 µs");
  }

  @Test
  void programsReadTheValueRoundedHalfUpToTheColumnsDecimals() {
    assertThat(Column.CLIENT_COMMANDS.json(1.0005)).isEqualTo(1.001);
    assertThat(Column.EVENTS_PER_SECOND.json(9_876.45)).isEqualTo(9_876.5);
    assertThat(Column.P50_MICROS.json(0.385)).isEqualTo(0.39);
    assertThat(Column.BILLED_PER_DAY.json(450_000.5)).isEqualTo(450_001L);
    assertThat(Column.USD_PER_MONTH.json(Double.NaN)).isEqualTo(0);
  }

  @Test
  void aRowWithoutAValueShowsTheMissingMarkAndJsonNull() {
    RunResult busy = Reports.sample().resultsOf("busy").get(0);
    assertThat(Column.BILLED_PER_DAY.value(busy)).isNull();
    assertThat(Column.USD_PER_MONTH.text(busy)).isEqualTo(Column.MISSING);
    assertThat(Column.USD_PER_MONTH.json(busy)).isNull();
  }

  @Test
  void tableHtmlAndJsonShowEveryMeasuredColumnAsTheModelSays() throws Exception {
    CompareReport report = Reports.sample();
    List<String> table = Arrays.asList(TableFormat.render(report).split("\n"));
    String html = HtmlReport.render(report);
    JsonNode results = Json.MAPPER.readTree(JsonFormat.render(report)).get("results");
    String header = table.stream().filter(l -> l.startsWith("workload")).findFirst().orElseThrow();
    for (int i = 0; i < report.results().size(); i++) {
      RunResult r = report.results().get(i);
      Pattern row =
          Pattern.compile(
              Pattern.quote(r.workload()) + " +" + Pattern.quote(r.backend().label()) + "  .*");
      String line = table.stream().filter(l -> row.matcher(l).matches()).findFirst().orElseThrow();
      StringBuilder htmlRow =
          new StringBuilder("<td>" + r.backend().label().replace("\"", "&quot;") + "</td>");
      JsonNode json = results.get(i);
      for (Column c : Column.MEASURED) {
        // right-aligned: the cell ends where the header ends
        int end = header.indexOf(c.header()) + c.header().length();
        assertThat(line.substring(0, end)).as(c + " in " + line).endsWith(" " + c.text(r));
        htmlRow.append("<td>").append(c.text(r)).append("</td>");
        JsonNode field =
            c.jsonName().matches("p50|p99|max")
                ? json.get("recordLatencyMicros").get(c.jsonName())
                : json.get(c.jsonName());
        Number expected = c.json(r);
        if (expected == null) {
          assertThat(field.isNull()).as(c.jsonName()).isTrue();
        } else {
          assertThat(field.asDouble()).as(c.jsonName()).isEqualTo(expected.doubleValue());
        }
      }
      assertThat(html).contains(htmlRow);
    }
  }
}
