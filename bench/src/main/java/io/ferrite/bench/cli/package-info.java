/** {@code ferrite bench}'s command line and its catalogue of scenarios per suite. */
package io.ferrite.bench.cli;
