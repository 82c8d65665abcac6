-- The order archive: every order the hand-off wrote, and per event the generation of its last sale (a row of
-- an older generation belongs to a sale that was reset, and is dropped). Applied by OrderDatabase with the
-- persistence unit, on every instance's first use of the database: every statement must be idempotent.

CREATE TABLE IF NOT EXISTS ticket_sale (
    event_id varchar(64) PRIMARY KEY,
    gen      bigint      NOT NULL
);

CREATE TABLE IF NOT EXISTS ticket_order (
    order_id   varchar(128) PRIMARY KEY,
    event_id   varchar(64)  NOT NULL,
    user_id    varchar(64)  NOT NULL,
    status     varchar(10)  NOT NULL,
    expires_at bigint       NOT NULL,
    gen        bigint       NOT NULL,
    updated_at bigint       NOT NULL
);

CREATE INDEX IF NOT EXISTS ticket_order_event_status ON ticket_order (event_id, status);
