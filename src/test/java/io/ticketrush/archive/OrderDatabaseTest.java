package io.ticketrush.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema files split into the statements OrderDatabase runs, each safe to run again. */
class OrderDatabaseTest {

    @Test
    void splitsTheFirstVersionIntoItsStatementsWithoutComments() {
        List<String> statements = OrderDatabase.statements("db/V1__orders.sql");

        assertEquals(3, statements.size());
        assertTrue(statements.get(0).startsWith("CREATE TABLE IF NOT EXISTS ticket_sale"), statements.get(0));
        assertTrue(statements.get(1).startsWith("CREATE TABLE IF NOT EXISTS ticket_order"), statements.get(1));
        assertTrue(statements.get(2).startsWith("CREATE INDEX IF NOT EXISTS"), statements.get(2));
    }

    @Test
    void writesEveryStatementOfEveryVersionIdempotently() {
        for (String file : OrderDatabase.SCHEMA) {
            for (String statement : OrderDatabase.statements(file)) {
                assertTrue(statement.contains("IF NOT EXISTS"), file + ": " + statement);
                assertTrue(!statement.contains("--") && !statement.contains(";"), file + ": " + statement);
            }
        }
    }
}
