/** MicroProfile Health readiness: ready while Redis answers, and once the order database has been tried. */
package io.ticketrush.health;
