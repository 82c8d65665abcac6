// The service's rules for ids, as the pages apply them before asking (the service's own: web/Ids.java,
// docs/api.md): checked here once, so a typing mistake is told at once, in words.

/** A user or event id: 1 to 64 of these characters. */
export const ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
const ID_CHARACTERS = '[A-Za-z0-9_.:@\\-]+';
const ID_MAX_LENGTH = 64;

/** The rule in words, for a sentence such as "Your user id may only hold …". */
export const ID_RULE = '1 to 64 letters, digits or _ . : @ -';

export const isId = (text) => ID_PATTERN.test(text);

/** Marks an id field with the rule, for the browser's :invalid and assistive technology. */
export function describeIdField(input) {
    input.pattern = ID_CHARACTERS;
    input.maxLength = ID_MAX_LENGTH;
}

/** Whose a user id is: the service compares user ids case-insensitively, so ALICE's order is alice's. */
export const buyerKey = (userId) => userId.toLowerCase();
