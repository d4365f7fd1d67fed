package io.usagesink.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.cli.compare.RunResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@DisplayName("the HTML report")
class HtmlReportTest {

  private static final String XHTML = "http://www.w3.org/1999/xhtml";
  private static final String SVG = "http://www.w3.org/2000/svg";

  private static CompareReport report;
  private static String html;
  private static Document doc;

  @BeforeAll
  static void render() throws Exception {
    report = Reports.sample();
    html = HtmlReport.render(report);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setErrorHandler(null);
    doc = b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element chart(String metric) {
    NodeList figures = doc.getElementsByTagNameNS(XHTML, "figure");
    List<Element> found = new ArrayList<>();
    for (int i = 0; i < figures.getLength(); i++) {
      Element e = (Element) figures.item(i);
      if (metric.equals(e.getAttribute("data-metric"))) {
        found.add(e);
      }
    }
    assertThat(found).as("charts with data-metric=" + metric).hasSize(1);
    return found.get(0);
  }

  private static String svgText(Element figure) {
    NodeList svgs = figure.getElementsByTagNameNS(SVG, "svg");
    assertThat(svgs.getLength())
        .as("inline svg in " + figure.getAttribute("data-metric"))
        .isEqualTo(1);
    return svgs.item(0).getTextContent();
  }

  @Test
  void isWellFormedXhtml() {
    assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo(XHTML);
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("html");
  }

  @Test
  void hasOneChartPerMetric() {
    NodeList figures = doc.getElementsByTagNameNS(XHTML, "figure");
    assertThat(figures.getLength()).isEqualTo(HtmlReport.metrics().size());
    for (String metric : HtmlReport.metrics()) {
      chart(metric);
    }
  }

  @Test
  void billedChartShowsEachMeasuredValueAndTheNotesOptions() {
    String text = svgText(chart(HtmlReport.BILLED));
    for (RunResult r : report.results()) {
      String shown =
          r.serverCommandsPerEvent() == 0
              ? "0 (nothing sent)"
              : HtmlReport.num(r.serverCommandsPerEvent());
      assertThat(text).contains(r.backend().label()).contains(shown);
    }
    assertThat(text)
        .contains("today (full statistics)")
        .contains(HtmlReport.num(482_640 / 3000.0))
        .contains("dimensions cut")
        .contains("48.0")
        .contains("statistics off")
        .contains("5.00");
    assertThat(HtmlReport.num(148)).isEqualTo("148");
    assertThat(HtmlReport.num(150.0003)).isEqualTo("150");
    assertThat(text).contains("150").contains("141").contains("96.8");
  }

  @Test
  void throughputChartShowsEventsPerSecond() {
    String text = svgText(chart(HtmlReport.THROUGHPUT));
    for (RunResult r : report.results()) {
      assertThat(text).contains(HtmlReport.num(r.eventsPerSecond()) + "/s");
    }
    assertThat(text).contains("4,322/s").contains("21,000,000/s");
    // the sustained phase: one bar per backend
    assertThat(text).contains("sustained");
    for (RunResult r : report.resultsOf("seed-day")) {
      assertThat(text).contains(HtmlReport.num(r.sustainedEventsPerSecond()) + "/s");
    }
  }

  @Test
  void compactRowsHaveTheirOwnColourAndTheTableSaysWhatFitsTheFreeTier() {
    assertThat(html)
        .contains("<g class=\"bar compact\">")
        .contains("<th>fits free tier</th>")
        .contains("<th>sustained ev/s</th>")
        .contains("within the free tier");
  }

  @Test
  void latencyChartShowsThreePercentilesPerRun() {
    Element figure = chart(HtmlReport.LATENCY);
    String text = svgText(figure);
    for (RunResult r : report.results()) {
      assertThat(text)
          .contains(r.backend().label())
          .contains(
              HtmlReport.num(r.p50Micros())
                  + " / "
                  + HtmlReport.num(r.p99Micros())
                  + " / "
                  + HtmlReport.num(r.maxMicros())
                  + " µs");
    }
    assertThat(text).contains("seed-day").contains("busy").contains("3.21 / 48.7 / 1,235 µs");
    // one range (p50 dot, p99 diamond, max tick) per run
    assertThat(figure.getElementsByTagNameNS(SVG, "circle").getLength())
        .isEqualTo(report.results().size());
  }

  @Test
  void costChartShowsTheSeedDayProjectionBesideTheNote() {
    String text = svgText(chart(HtmlReport.COST));
    // 148 billed commands x 3,000 requests x 30 days x 0.20 USD / 100,000 = 26.64 USD
    assertThat(text)
        .contains("26.64 USD")
        .contains("28.96 USD")
        .contains("8.64 USD")
        .contains("0.90 USD");
    for (RunResult r : report.resultsOf("seed-day")) {
      assertThat(text).contains(HtmlReport.usd(r.projection().usdPerMonth()) + " USD");
    }
  }

  @Test
  void isSelfContained() {
    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("<link")
        .doesNotContain("src=")
        .doesNotContain("@import")
        .doesNotContain("url(");
    assertThat(
            html.replace("http://www.w3.org/1999/xhtml", "")
                .replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://")
        .doesNotContain("https://");
  }

  @Test
  void chartsScaleToTheColumnInsteadOfScrollingSideways() {
    NodeList svgs = doc.getElementsByTagNameNS(SVG, "svg");
    for (int i = 0; i < svgs.getLength(); i++) {
      Element svg = (Element) svgs.item(i);
      assertThat(svg.getAttribute("width")).isEqualTo("100%");
      assertThat(svg.getAttribute("viewBox")).startsWith("0 0 ");
    }
    assertThat(html).contains("max-width: 960px");
  }

  @Test
  void textFromTheRunIsEscaped() {
    assertThat(html).contains("&lt;&amp; &quot;quoted&quot;&gt;");
  }

  @Test
  void controlCharactersXmlForbidsBecomeSpacesAndApostrophesAreEscaped() {
    assertThat(HtmlReport.esc("a\u0000b\rc\u001fd'e\tf\ng")).isEqualTo("a b c d&#39;e\tf\ng");
    assertThat(HtmlReport.esc(null)).isEmpty();
  }

  @Test
  void withoutSeedDayThereIsNoCostChart() {
    CompareReport busyOnly =
        new CompareReport(
            report.redis(),
            report.statistics(),
            java.util.Map.of("busy", "b"),
            report.resultsOf("busy"),
            report.startedAt(),
            report.machine());
    String page = HtmlReport.render(busyOnly);
    assertThat(page)
        .contains("data-metric=\"" + HtmlReport.BILLED + "\"")
        .doesNotContain("data-metric=\"" + HtmlReport.COST + "\"");
  }
}
