/**
 * What a {@code ferrite bench} run writes — report.md, results.json, SVG plots — and the baseline
 * check that reads two results.json files. Control-path code only; all of it stateless.
 */
package io.ferrite.bench.report;
