package io.ticketrush.purchase;

import io.ticketrush.cluster.InstanceReport;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.stream.JsonGenerator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Purchases by outcome, counted in memory, so that counting costs the hot path no I/O:
 * {@code ticketrush_purchases_total{outcome="…"}} on {@code /metrics}.
 */
@ApplicationScoped
public class PurchaseMetrics implements InstanceReport.Part {

    /** What became of a purchase attempt, as an operator wants it told apart. */
    public enum Outcome {
        RESERVED,
        /** Answered sold out by the local share, without asking Redis. */
        SOLD_OUT_LOCAL,
        /** Redis said sold out (the local share then latches). */
        SOLD_OUT_REDIS,
        /** A retrying buyer of a queued sale whose admission was refused; Redis, asked, said they hold no order. */
        SOLD_OUT_RETRY,
        ALREADY_HELD,
        NO_SUCH_EVENT,
        /** No permit came free within the wait (or too many waited): answered "busy, try again", not sold out. */
        BUSY,
        /** Redis could not be reached; answered 503. */
        REDIS_FAILED
    }

    private static final Metadata PURCHASES = Metadata.builder()
            .withName("ticketrush.purchases")
            .withDescription("Purchase attempts by outcome; sold_out_local never reached Redis")
            .build();

    @Inject
    MetricRegistry registry;

    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

    @PostConstruct
    void register() {
        for (Outcome outcome : Outcome.values()) {
            counters.put(
                    outcome,
                    registry.counter(
                            PURCHASES, new Tag("outcome", outcome.name().toLowerCase(Locale.ROOT))));
        }
    }

    /** Created with the application, so every series reads 0 before the first purchase instead of missing. */
    void eager(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // Observing the event is enough: CDI instantiates the bean to deliver it.
    }

    public void count(Outcome outcome) {
        counters.get(outcome).inc();
    }

    /** {"purchases":{"reserved":n,"sold_out_local":n,…}} in the heartbeat's report: the dashboard's sales. */
    @Override
    public void write(JsonGenerator json) {
        json.writeStartObject("purchases");
        counters.forEach((outcome, counter) -> json.write(outcome.name().toLowerCase(Locale.ROOT), counter.getCount()));
        json.writeEnd();
    }
}
