package io.ticketrush.model;

import java.util.Locale;

/**
 * The one rule for who is one buyer: a userId in lower case, so {@code Alice} and {@code alice} hold one ticket and
 * one place. sweep.lua applies it too ({@code string.lower}), and so does the buyer's page; ids are ASCII (the rule
 * in Ids), where Lua's, JavaScript's and Java's lower case agree (BuyerKeyIT holds Lua to it).
 */
public final class BuyerKey {

    private BuyerKey() {}

    /** The key {@code userId} is held under in Redis, signed into its waiting-room place and admission. */
    public static String of(String userId) {
        return userId.toLowerCase(Locale.ROOT);
    }

    /** True when the two ids name one buyer. */
    public static boolean sameBuyer(String userId, String otherUserId) {
        return of(userId).equals(of(otherUserId));
    }
}
