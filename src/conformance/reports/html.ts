/**
 * A single self-contained HTML page for a person reading the run in a browser (an
 * integrator's test manager): inline CSS, no scripts, no external assets. Every text taken
 * from the run is escaped, since much of it comes from the target's answers.
 */
import type { CheckResult, Outcome, OutcomeCounts, PackResult, RequirementResult, RunResult, StepResult, TestResult } from '../result.js';
import { escapeHtml as h, outcomeWord, plural } from './text.js';

const CSS = `
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1b1b1b;line-height:1.45}
h1,h2,h3,h4{line-height:1.2}
h2{border-top:2px solid #ccc;padding-top:1rem;margin-top:2rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{white-space:pre-wrap;word-break:break-word;margin:0}
.badge{display:inline-block;min-width:3.6rem;text-align:center;font-weight:700;font-size:.85em;padding:.05rem .4rem;border-radius:.25rem;border:1px solid}
.pass{background:#e3f4e6;color:#12501d;border-color:#12501d}
.fail{background:#fde4e4;color:#8a1111;border-color:#8a1111}
.error{background:#fbe3f7;color:#6b0f5f;border-color:#6b0f5f}
.skip{background:#fff4d6;color:#5a4300;border-color:#5a4300}
.omit{background:#eceff3;color:#333c47;border-color:#333c47}
details.test{border:1px solid #ccc;border-radius:.3rem;margin:.5rem 0;padding:.3rem .7rem}
details.test>summary{cursor:pointer;font-weight:600}
.step{margin:.6rem 0 .2rem}
@media print{details.test>summary{list-style:none}}
`;

function badge(o: Outcome): string {
  return `<span class="badge ${o}">${outcomeWord(o)}</span>`;
}

/** An id attribute made only of safe characters, so a test id cannot break out of it. */
function anchor(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9_-]/g, '_')).join('--');
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function countsText(c: OutcomeCounts): string {
  return `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped, ${c.omit} omitted, ${plural(c.error, 'error')}`;
}

function checkRow(c: CheckResult): string {
  const failed = c.outcome !== 'pass';
  const cell = (v: string | undefined): string => (failed && v !== undefined ? `<pre>${h(v)}</pre>` : '');
  return `<tr><td>${badge(c.outcome)}</td><td>${h(c.description)}</td><td>${cell(c.expected)}</td><td>${cell(c.received)}</td><td>${c.message ? h(c.message) : ''}</td></tr>`;
}

function step(s: StepResult): string {
  const answer = s.status === undefined ? 'no answer' : `status ${s.status}`;
  const head = `<p class="step">${badge(s.outcome)} <code>${h(s.method)} ${h(s.path)}</code> — step <code>${h(s.id)}</code>, token ${h(s.token)}, ${answer}, ${s.durationMs} ms${s.via === 'fhir' ? ', via the FHIR client' : ''}</p>`;
  const message = s.message ? `<p>${h(s.message)}</p>` : '';
  if (s.checks.length === 0) return head + message;
  return `${head}${message}
<table><thead><tr><th scope="col">Outcome</th><th scope="col">Check</th><th scope="col">Expected</th><th scope="col">Received</th><th scope="col">Message</th></tr></thead>
<tbody>${s.checks.map(checkRow).join('\n')}</tbody></table>`;
}

function test(p: PackResult, t: TestResult): string {
  const open = t.outcome === 'fail' || t.outcome === 'error' ? ' open' : '';
  return `<details class="test" id="${anchor('test', p.id, t.id)}"${open}>
<summary>${badge(t.outcome)} ${h(t.title)} <code>${h(t.id)}</code></summary>
<dl class="meta">
<dt>Given</dt><dd>${h(t.description.given)}</dd>
<dt>When</dt><dd>${h(t.description.when)}</dd>
<dt>Then</dt><dd>${h(t.description.then)}</dd>
<dt>Requirements</dt><dd>${t.requirements.map((r) => `<a href="#${anchor('req', p.id, r)}">${h(r)}</a>`).join(', ')}</dd>
<dt>File</dt><dd><code>${h(t.file)}</code></dd>
<dt>Duration</dt><dd>${t.durationMs} ms</dd>
${t.message ? `<dt>Message</dt><dd>${h(t.message)}</dd>` : ''}
</dl>
<h4>Steps</h4>
${t.steps.length === 0 ? '<p>No request was sent.</p>' : t.steps.map(step).join('\n')}
</details>`;
}

function requirementRow(p: PackResult, r: RequirementResult): string {
  const tests = r.tests.map((id) => `<a href="#${anchor('test', p.id, id)}">${h(id)}</a>`).join(', ');
  return `<tr id="${anchor('req', p.id, r.id)}"><th scope="row">${h(r.id)}</th><td>${h(r.text)}</td><td>${h(r.source)}</td><td>${tests}</td><td>${badge(r.outcome)}</td></tr>`;
}

function pack(p: PackResult): string {
  const specs = p.specs.map((s) => `<li><code>${h(s.id)}</code> ${h(s.title)} — ${h(s.ref)}</li>`).join('\n');
  const inputs = Object.entries(p.inputs);
  return `<section aria-labelledby="${anchor('pack', p.id)}">
<h2 id="${anchor('pack', p.id)}">${h(p.title)}</h2>
<p>${badge(p.outcome)} Pack <code>${h(p.id)}</code> version ${h(p.version)}: ${countsText(p.counts)} in ${(p.durationMs / 1000).toFixed(1)} s.</p>
${p.description ? `<p>${h(p.description)}</p>` : ''}
<h3>Specifications checked</h3>
<ul>${specs}</ul>
${inputs.length === 0 ? '' : `<h3>Inputs</h3>\n<table><thead><tr><th scope="col">Input</th><th scope="col">Value</th></tr></thead><tbody>${inputs.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table>`}
<h3>Requirements coverage</h3>
<table><thead><tr><th scope="col">Requirement</th><th scope="col">Text</th><th scope="col">Source</th><th scope="col">Covering tests</th><th scope="col">Outcome</th></tr></thead>
<tbody>${p.requirements.map((r) => requirementRow(p, r)).join('\n')}</tbody></table>
<h3>Tests</h3>
${p.tests.map((t) => test(p, t)).join('\n')}
</section>`;
}

/**
 * The run as one HTML page: the target, dates, tool and overall outcome with counts, a table
 * of packs, then per pack its specifications, inputs, requirements coverage and tests (Given /
 * When / Then, requirements, and each step with its checks; expected and received are shown
 * for the checks that did not pass). Outcomes are printed as words as well as coloured.
 */
export function htmlReport(run: RunResult): string {
  const packRows = run.packs
    .map((p) => `<tr><th scope="row"><a href="#${anchor('pack', p.id)}">${h(p.id)}</a></th><td>${h(p.version)}</td><td>${badge(p.outcome)}</td>${(['pass', 'fail', 'skip', 'omit', 'error'] as const).map((o) => `<td>${p.counts[o]}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report: ${outcomeWord(run.outcome)} — ${h(run.target)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Conformance report</h1>
<dl class="meta">
<dt>Target</dt><dd><code>${h(run.target)}</code></dd>
<dt>Started</dt><dd>${h(when(run.startedAt))}</dd>
<dt>Finished</dt><dd>${h(when(run.finishedAt))}</dd>
<dt>Duration</dt><dd>${(run.durationMs / 1000).toFixed(1)} s</dd>
<dt>Tool</dt><dd>${h(run.tool.name)} ${h(run.tool.version)}</dd>
<dt>Run id</dt><dd><code>${h(run.runId)}</code></dd>
</dl>
<p>Overall: ${badge(run.outcome)} ${countsText(run.counts)} in ${plural(run.packs.length, 'pack')}.</p>
</header>
<main>
<table><caption>Packs</caption><thead><tr><th scope="col">Pack</th><th scope="col">Version</th><th scope="col">Outcome</th><th scope="col">Passed</th><th scope="col">Failed</th><th scope="col">Skipped</th><th scope="col">Omitted</th><th scope="col">Errors</th></tr></thead>
<tbody>${packRows}</tbody></table>
${run.packs.map(pack).join('\n')}
</main>
</body>
</html>
`;
}
