import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type { GatewayIssue } from '../../src/errors/gateway-error.js';
import { readNotificationXml, withXmlPaths, xmlPathFor } from '../../src/mapping/police-notification-xml.js';
import { DEFAULT_MAPPINGS_DIR, loadMappingRegistry } from '../../src/mapping/registry.js';
import { NotificationSubmissionSchema } from '../../src/model/police-notification.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

/**
 * The XML form of a police notification: golden cases beside the mapping
 * (`mappings/police-notification/1.0/cases/<name>.input.xml` → `<name>.expected.json`,
 * UPDATE_GOLDEN=1 rewrites them), each a valid submission; the XML and JSON forms of one
 * notification give the same submission; bad XML is refused with a clear error.
 */
const registry = loadMappingRegistry();
const CASES = join(DEFAULT_MAPPINGS_DIR, 'police-notification', '1.0', 'cases');
const names = readdirSync(CASES)
  .filter((f) => f.endsWith('.input.xml'))
  .map((f) => f.slice(0, -'.input.xml'.length));

const XML_HEAD = '<PoliceNotification xmlns="https://sgw.example/ns/police-notification/1">';
const CHILD = '<Persons><Person><Ref>c1</Ref><Role>subject-child</Role><Name><Given>Ash</Given></Name><BirthDate>2012-01-20</BirthDate></Person></Persons>';
const minimal = (inner: string, persons = CHILD) =>
  `${XML_HEAD}<Force>E23000010</Force><Reference>13/9/26</Reference><Type>child-concern</Type><OccurredAt>2026-12-03T09:00:00Z</OccurredAt><Location><Postcode>LS2 7EE</Postcode></Location>${persons}<Officer><CollarNumber>1</CollarNumber></Officer>${inner}</PoliceNotification>`;

async function refused(body: string): Promise<GatewayError> {
  const err = await readNotificationXml(registry, body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

/** The zod issues of a submission as the route reports them: field path first. */
function zodIssues(submission: unknown): GatewayIssue[] {
  const r = NotificationSubmissionSchema.safeParse(submission);
  return r.success ? [] : r.error.issues.map((i) => ({ severity: 'error', code: 'invalid', diagnostics: i.message, expression: [i.path.join('.')] }));
}

describe('police notification XML: golden cases', () => {
  it('has the three kinds of notification the issue names', () => {
    expect(names).toEqual(expect.arrayContaining(['domestic-abuse-two-people', 'encompass-child-not-present', 'missing-child']));
  });

  it.each(names)('%s', async (name) => {
    const result = await readNotificationXml(registry, readFileSync(join(CASES, `${name}.input.xml`)));
    const expectedFile = join(CASES, `${name}.expected.json`);
    const actual = { mapping: result.mapping, submission: result.submission, warnings: result.warnings, sources: result.sources };
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedFile)) writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    // Every golden submission is one the JSON form accepts.
    expect(zodIssues(result.submission)).toEqual([]);
    // Every field is traced to an element of the input.
    for (const source of Object.values(result.sources)) expect(source).toMatch(/^PoliceNotification(\.[A-Za-z]+(\[\d+\])?)+$/);
  });

  it('gives numbers and booleans typed, and keeps the order of repeated elements', async () => {
    const { submission } = await readNotificationXml(registry, readFileSync(join(CASES, 'encompass-child-not-present.input.xml')));
    const s = NotificationSubmissionSchema.parse(submission);
    expect(s.persons[0]).toMatchObject({ present: true, name: { given: ['Jo', 'Lee'] } });
    expect(s.persons[1]).toMatchObject({ present: false, estimatedAge: 13 });
    expect(s.riskGrade).toEqual({ grade: 'medium', dashYesCount: 8 });
    expect(s.location.lines).toEqual(['Flat 2', '3 Sample Road']);
    expect(s.familyTold).toBe(true);
  });
});

describe('police notification: the XML and JSON forms agree', () => {
  it('the domestic-abuse example sent as XML equals the same notification sent as JSON', async () => {
    const json: unknown = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'conformance/police-notifications/fixtures/domestic-abuse.json'), 'utf8'));
    const { submission, warnings } = await readNotificationXml(registry, readFileSync(join(CASES, 'domestic-abuse-two-people.input.xml'), 'utf8'));
    expect(warnings).toEqual([]);
    expect(NotificationSubmissionSchema.parse(submission)).toEqual(NotificationSubmissionSchema.parse(json));
  });

  it('the conformance pack XML fixture equals its JSON fixture, references substituted alike', async () => {
    const dir = join(PACKAGE_ROOT, 'conformance/police-notifications/fixtures');
    const xml = readFileSync(join(dir, 'notification.xml'), 'utf8').replaceAll('{{run.id}}', '123456');
    const json = { ...(JSON.parse(readFileSync(join(dir, 'domestic-abuse.json'), 'utf8')) as object), reference: '13/12345614/26' };
    const { submission } = await readNotificationXml(registry, xml);
    expect(NotificationSubmissionSchema.parse(submission)).toEqual(NotificationSubmissionSchema.parse(json));
  });

  it('a repeated single element is used once, with a warning naming it', async () => {
    const { submission, warnings } = await readNotificationXml(registry, minimal('').replace('<Force>E23000010</Force>', '<Force>E23000010</Force><Force>E23000011</Force>'));
    expect(submission).toMatchObject({ force: 'E23000010' });
    expect(warnings).toEqual([expect.objectContaining({ severity: 'warning', expression: ['PoliceNotification.Force'] })]);
  });
});

describe('police notification XML: bad input', () => {
  it('refuses XML that is not well formed, naming the problem', async () => {
    const err = await refused(`${XML_HEAD}<Force>E23000010</Reference></PoliceNotification>`);
    expect(err.code).toBe('GW_ERR_MALFORMED_BODY');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/police-xml: the XML is not well formed/);
  });

  it('refuses an empty body', async () => {
    expect((await refused('  ')).message).toMatch(/the body is empty/);
  });

  it('refuses an XXE attempt (a DTD with an external entity) without resolving it', async () => {
    const body = `<?xml version="1.0"?><!DOCTYPE PoliceNotification [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${minimal('<Narrative>&xxe;</Narrative>')}`;
    const err = await refused(body);
    expect(err.code).toBe('GW_ERR_MALFORMED_BODY');
    expect(err.message).toMatch(/document type declaration/);
    expect(err.message).not.toMatch(/root:/);
  });

  it('refuses an undeclared entity', async () => {
    expect((await refused(minimal('<Narrative>&lol;</Narrative>'))).code).toBe('GW_ERR_MALFORMED_BODY');
  });

  it('refuses a wrong root element, naming the root expected', async () => {
    const err = await refused('<Notification xmlns="https://sgw.example/ns/police-notification/1"><Force>E23000010</Force></Notification>');
    expect(err.issues[0]).toMatchObject({ expression: ['Notification'] });
    expect(err.message).toMatch(/the root element is Notification .*expected PoliceNotification in the namespace https:\/\/sgw\.example\/ns\/police-notification\/1/);
  });

  it('refuses the right root in the wrong namespace or in none', async () => {
    expect((await refused('<PoliceNotification><Force>E23000010</Force></PoliceNotification>')).message).toMatch(/in no namespace/);
    expect((await refused('<PoliceNotification xmlns="https://sgw.example/ns/police-notification/2"/>')).message).toMatch(/in the namespace https:\/\/sgw\.example\/ns\/police-notification\/2/);
  });

  it('refuses mixed text and elements', async () => {
    const err = await refused(minimal('<Narrative>text <b>bold</b></Narrative>'));
    expect(err.issues[0]).toMatchObject({ expression: ['PoliceNotification.Narrative'] });
  });

  it('refuses an element where text was expected, naming the element', async () => {
    const err = await refused(minimal('<Narrative><Para>one</Para></Narrative>'));
    expect(err.code).toBe('GW_ERR_VALIDATION_FAILED');
    expect(err.issues[0]?.expression).toEqual(['PoliceNotification.Narrative']);
  });

  it('reports an unknown element, a foreign-namespace element and an unknown attribute as warnings, without their values', async () => {
    const { submission, warnings } = await readNotificationXml(registry, readFileSync(join(CASES, 'unknown-element-warning.input.xml')));
    expect(zodIssues(submission)).toEqual([]);
    const where = warnings.map((w) => w.expression?.[0]);
    expect(where).toEqual(expect.arrayContaining(['PoliceNotification.Persons.Person.Vehicle', 'PoliceNotification.x:ForceSystemId', 'PoliceNotification/@priority']));
    for (const w of warnings) {
      expect(w.severity).toBe('warning');
      expect(w.diagnostics).toMatch(/not consumed/);
      expect(w.diagnostics).not.toMatch(/Synthetic/);
    }
  });
});

describe('police notification XML: invalid values fail the same validation as JSON', () => {
  it('names the submission field and the XML element for values that do not convert or do not fit', async () => {
    const persons =
      '<Persons><Person><Ref>c1</Ref><Role>subject-child</Role><Name><Given>Ash</Given></Name><BirthDate>2012-02-30</BirthDate><Present>maybe</Present></Person>' +
      '<Person><Ref>c2</Ref><Role>subject-child</Role><Name><Given>Bo</Given></Name><EstimatedAge>about ten</EstimatedAge></Person>' +
      '<Person><Ref>w1</Ref><Name><Given>Cy</Given></Name></Person></Persons>';
    const { submission, sources } = await readNotificationXml(registry, minimal('', persons).replace('2026-12-03T09:00:00Z', '2026-12-03 09:00'));
    const issues = withXmlPaths(zodIssues(submission), sources);
    const byField = Object.fromEntries(issues.map((i) => [i.expression![0], i.expression![1]]));
    expect(byField).toEqual({
      occurredAt: 'PoliceNotification.OccurredAt',
      'persons.0.birthDate': 'PoliceNotification.Persons.Person[0].BirthDate',
      'persons.0.present': 'PoliceNotification.Persons.Person[0].Present',
      'persons.1.estimatedAge': 'PoliceNotification.Persons.Person[1].EstimatedAge',
      'persons.2.roles': 'PoliceNotification.Persons.Person[2]',
    });
  });

  it('points a missing field at the nearest element sent', async () => {
    const noForce = await readNotificationXml(registry, minimal('').replace('<Force>E23000010</Force>', ''));
    expect(withXmlPaths(zodIssues(noForce.submission), noForce.sources).map((i) => i.expression)).toEqual([['force', 'PoliceNotification']]);
    const persons = '<Persons><Person><Ref>c1</Ref><Role>subject-child</Role><Name><Given>Ash</Given></Name></Person></Persons>';
    const noBirth = await readNotificationXml(registry, minimal('', persons));
    expect(withXmlPaths(zodIssues(noBirth.submission), noBirth.sources).map((i) => i.expression)).toEqual([['persons.0.birthDate', 'PoliceNotification.Persons.Person[0]']]);
    expect(xmlPathFor(noBirth.sources, ['persons'])).toBe('PoliceNotification.Persons.Person[0]');
  });
});
