package io.usagesink.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole Spring Boot web application with the actuator, the auto-configuration and the redis-lua
 * backend against a real Redis from the test kit: what a user sees after adding the starter.
 */
@ExtendWith(RedisExtension.class)
class UsageSinkApplicationIT {

  private static final UsageEvent EVENT =
      UsageEvent.builder()
          .at(Instant.parse("2025-08-15T03:10:00Z"))
          .keyId("k1")
          .accountId("a1")
          .model("claude-sonnet-4-20250514")
          .inputTokens(1200)
          .outputTokens(350)
          .build();

  /** The application: nothing but auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  private JsonNode get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  @Test
  void theActuatorShowsTheSinksHealthAndMetersAndClosingTheApplicationClosesTheSink(
      RedisServer redis) throws Exception {
    UsageSink sink;
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .properties(
                Map.of(
                    "server.port", "0",
                    "server.address", "127.0.0.1",
                    "spring.main.banner-mode", "off",
                    "management.endpoints.web.exposure.include", "health,metrics",
                    "management.endpoint.health.show-details", "always",
                    "usagesink.backend", "redis-lua",
                    "usagesink.redis.uri", redis.authenticatedUri()))
            .run()) {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      sink = context.getBean(UsageSink.class);
      sink.record(EVENT).toCompletableFuture().get(30, TimeUnit.SECONDS);

      JsonNode health = get(port, "/actuator/health");
      JsonNode usagesink = health.path("components").path("usagesink");
      assertThat(usagesink.path("status").asString()).as("%s", health).isEqualTo("UP");
      assertThat(usagesink.path("details").path("stored").asLong()).isEqualTo(1);

      JsonNode stored =
          get(port, "/actuator/metrics/usagesink.events?tag=outcome:stored&tag=backend:redis-lua");
      assertThat(stored.path("name").asString()).isEqualTo("usagesink.events");
      assertThat(stored.path("measurements").get(0).path("value").asDouble()).isEqualTo(1.0);
      assertThat(get(port, "/actuator/metrics/usagesink.pending").path("name").asString())
          .isEqualTo("usagesink.pending");
      assertThat(
              get(port, "/actuator/metrics/usagesink.redis.commands")
                  .path("measurements")
                  .get(0)
                  .path("value")
                  .asDouble())
          .isGreaterThanOrEqualTo(1.0);
    }
    assertThat(sink.record(EVENT).toCompletableFuture())
        .as("closed with the context")
        .failsWithin(Duration.ofSeconds(10));
    assertThat(sink.stats().stored()).isEqualTo(1);
    assertThat(sink.stats().rejected()).isEqualTo(1);
  }
}
