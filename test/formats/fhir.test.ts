import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readFhirJson, readFhirXml, sniffFhirFormat } from '../../src/formats/fhir.js';

// All fixtures are synthetic: made-up people, NHS numbers from the 999 test range with valid
// Modulus 11 check digits (9990000018, 9990000026, 9990000034).

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFICATION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
const VERIFICATION_CS = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';
const BIRTH_TIME = 'http://hl7.org/fhir/StructureDefinition/patient-birthTime';

const PATIENT_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- synthetic test patient -->
<Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir ../patient.xsd">
  <id value="pat-ava-testperson"/>
  <meta>
    <profile value="https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"/>
  </meta>
  <text>
    <status value="generated"/>
    <div xmlns="http://www.w3.org/1999/xhtml"><p>Ava <b>Testperson</b> &amp; family, born 2015</p><div class="x">nested</div></div>
  </text>
  <identifier>
    <extension url="${VERIFICATION}">
      <valueCodeableConcept>
        <coding>
          <system value="${VERIFICATION_CS}"/>
          <code value="01"/>
          <display value="Number present and verified"/>
        </coding>
      </valueCodeableConcept>
    </extension>
    <system value="${NHS}"/>
    <value value="9990000018"/>
  </identifier>
  <active value="true"/>
  <name>
    <use value="official"/>
    <family value="Testperson"/>
    <given value="Ava"/>
    <given value="Mae"/>
  </name>
  <gender value="female"/>
  <birthDate value="2015-03-14">
    <extension url="${BIRTH_TIME}">
      <valueDateTime value="2015-03-14T08:30:00+00:00"/>
    </extension>
  </birthDate>
  <deceasedBoolean value="false"/>
  <address>
    <use value="home"/>
    <line value="Flat 2"/>
    <line value="1 Example Street"/>
    <city value="Exampletown"/>
    <postalCode value="ZZ99 3AA"/>
  </address>
  <multipleBirthInteger value="2"/>
</Patient>`;

const PATIENT_JSON = {
  resourceType: 'Patient',
  id: 'pat-ava-testperson',
  meta: { profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'] },
  text: {
    status: 'generated',
    div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Ava <b>Testperson</b> &amp; family, born 2015</p><div class="x">nested</div></div>',
  },
  identifier: [
    {
      extension: [
        {
          url: VERIFICATION,
          valueCodeableConcept: { coding: [{ system: VERIFICATION_CS, code: '01', display: 'Number present and verified' }] },
        },
      ],
      system: NHS,
      value: '9990000018',
    },
  ],
  active: true,
  name: [{ use: 'official', family: 'Testperson', given: ['Ava', 'Mae'] }],
  gender: 'female',
  birthDate: '2015-03-14',
  _birthDate: { extension: [{ url: BIRTH_TIME, valueDateTime: '2015-03-14T08:30:00+00:00' }] },
  deceasedBoolean: false,
  address: [{ use: 'home', line: ['Flat 2', '1 Example Street'], city: 'Exampletown', postalCode: 'ZZ99 3AA' }],
  multipleBirthInteger: 2,
};

const TRANSACTION_XML = `<Bundle xmlns="http://hl7.org/fhir">
  <id value="tx-0001"/>
  <type value="transaction"/>
  <entry>
    <fullUrl value="urn:uuid:2b9d7a1e-0001-4c55-9a66-000000000001"/>
    <resource>
      <Patient>
        <identifier><system value="${NHS}"/><value value="9990000026"/></identifier>
        <name><family value="Sampleton"/><given value="Leo"/></name>
      </Patient>
    </resource>
    <request><method value="POST"/><url value="Patient"/></request>
  </entry>
  <entry>
    <fullUrl value="urn:uuid:2b9d7a1e-0002-4c55-9a66-000000000002"/>
    <resource>
      <CareTeam>
        <status value="active"/>
        <name value="Core group"/>
        <subject><reference value="urn:uuid:2b9d7a1e-0001-4c55-9a66-000000000001"/></subject>
        <participant>
          <role><text value="Social worker"/></role>
          <member><display value="Pat Example"/></member>
        </participant>
      </CareTeam>
    </resource>
    <request><method value="POST"/><url value="CareTeam"/></request>
  </entry>
</Bundle>`;

const MESSAGE_XML = `<Bundle xmlns="http://hl7.org/fhir">
  <id value="msg-0042"/>
  <type value="message"/>
  <timestamp value="2024-05-01T10:15:00+01:00"/>
  <entry>
    <fullUrl value="urn:uuid:5e1c0000-0000-4000-8000-000000000001"/>
    <resource>
      <MessageHeader>
        <eventCoding><system value="https://example.org/events"/><code value="flag-created"/></eventCoding>
        <source><endpoint value="urn:example:sender"/></source>
        <focus><reference value="urn:uuid:5e1c0000-0000-4000-8000-000000000002"/></focus>
      </MessageHeader>
    </resource>
  </entry>
  <entry>
    <fullUrl value="urn:uuid:5e1c0000-0000-4000-8000-000000000002"/>
    <resource>
      <Flag>
        <status value="active"/>
        <category><coding><system value="http://terminology.hl7.org/CodeSystem/flag-category"/><code value="safety"/></coding></category>
        <code><text value="Child protection plan"/></code>
        <subject><identifier><system value="${NHS}"/><value value="9990000034"/></identifier></subject>
        <period><start value="2024-04-30"/></period>
      </Flag>
    </resource>
  </entry>
</Bundle>`;

/** Runs `read` and gives back the GatewayError it throws (failing if it does not). */
async function refusal(read: () => unknown): Promise<GatewayError> {
  try {
    await read();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    expect(e.code).toBe('GW_ERR_MALFORMED_BODY');
    expect(e.status).toBe(400);
    return e;
  }
  throw new Error('expected the reader to refuse the body');
}

const xmlPatient = (inner: string, root = '<Patient xmlns="http://hl7.org/fhir">') => `${root}${inner}</Patient>`;

describe('readFhirXml', () => {
  it('converts a UK Core-style Patient to the standard FHIR JSON', async () => {
    const r = await readFhirXml(new TextEncoder().encode(PATIENT_XML));
    expect(r.format).toBe('fhir-r4-xml');
    expect(r.tree).toEqual(PATIENT_JSON);
    expect(r.messageId).toBe('pat-ava-testperson');
    expect(r.warnings).toEqual([]);
  });

  it('types booleans and integers, and keeps strings (codes, dates) as strings', async () => {
    const { tree } = await readFhirXml(PATIENT_XML);
    const p = tree as fhir4.Patient;
    expect(p.active).toBe(true);
    expect(p.deceasedBoolean).toBe(false);
    expect(p.multipleBirthInteger).toBe(2);
    expect(p.identifier?.[0]?.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code).toBe('01');
    const { tree: t } = await readFhirXml(
      '<Bundle xmlns="http://hl7.org/fhir"><type value="searchset"/><total value="0"/><link><relation value="self"/><url value="Patient?name=x"/></link></Bundle>',
    );
    expect(t).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: 'Patient?name=x' }] });
    const { tree: q } = await readFhirXml(
      '<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="Weight"/></code><valueQuantity><value value="12.50"/><unit value="kg"/></valueQuantity></Observation>',
    );
    expect((q as fhir4.Observation).valueQuantity).toEqual({ value: 12.5, unit: 'kg' });
  });

  it('puts the id and extensions of primitives in _name, aligned with null for repeats', async () => {
    const { tree } = await readFhirXml(
      xmlPatient(`<name><given value="Ava"/><given id="g2" value="Mae"><extension url="https://example.org/x"><valueBoolean value="true"/></extension></given></name>
        <birthDate id="bd"><extension url="http://hl7.org/fhir/StructureDefinition/data-absent-reason"><valueCode value="unknown"/></extension></birthDate>`),
    );
    const p = tree as fhir4.Patient;
    expect(p.name).toEqual([
      { given: ['Ava', 'Mae'], _given: [null, { id: 'g2', extension: [{ url: 'https://example.org/x', valueBoolean: true }] }] },
    ]);
    expect(p.birthDate).toBeUndefined();
    expect(p._birthDate).toEqual({ id: 'bd', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] });
  });

  it('keeps the XHTML narrative as a string, mixed text and markup in order', async () => {
    const { tree } = await readFhirXml(PATIENT_XML);
    expect((tree as fhir4.Patient).text?.div).toBe(PATIENT_JSON.text.div);
  });

  it('reads a transaction Bundle with Patient and CareTeam entries', async () => {
    const r = await readFhirXml(TRANSACTION_XML);
    expect(r.messageId).toBe('tx-0001');
    expect(r.tree).toEqual({
      resourceType: 'Bundle',
      id: 'tx-0001',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:2b9d7a1e-0001-4c55-9a66-000000000001',
          resource: { resourceType: 'Patient', identifier: [{ system: NHS, value: '9990000026' }], name: [{ family: 'Sampleton', given: ['Leo'] }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:2b9d7a1e-0002-4c55-9a66-000000000002',
          resource: {
            resourceType: 'CareTeam',
            status: 'active',
            name: 'Core group',
            subject: { reference: 'urn:uuid:2b9d7a1e-0001-4c55-9a66-000000000001' },
            participant: [{ role: [{ text: 'Social worker' }], member: { display: 'Pat Example' } }],
          },
          request: { method: 'POST', url: 'CareTeam' },
        },
      ],
    });
  });

  it('reads a message Bundle (MessageHeader first, then the focus)', async () => {
    const r = await readFhirXml(MESSAGE_XML);
    expect(r.messageId).toBe('msg-0042');
    const b = r.tree as fhir4.Bundle;
    expect(b.type).toBe('message');
    expect(b.timestamp).toBe('2024-05-01T10:15:00+01:00');
    expect(b.entry?.[0]?.resource).toEqual({
      resourceType: 'MessageHeader',
      eventCoding: { system: 'https://example.org/events', code: 'flag-created' },
      source: { endpoint: 'urn:example:sender' },
      focus: [{ reference: 'urn:uuid:5e1c0000-0000-4000-8000-000000000002' }],
    });
    expect(b.entry?.[1]?.resource).toEqual({
      resourceType: 'Flag',
      status: 'active',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'safety' }] }],
      code: { text: 'Child protection plan' },
      subject: { identifier: { system: NHS, value: '9990000034' } },
      period: { start: '2024-04-30' },
    });
  });

  it('unwraps contained resources and Parameters.parameter.resource', async () => {
    const { tree } = await readFhirXml(
      xmlPatient('<contained><RelatedPerson><id value="mum"/><patient><reference value="#"/></patient><relationship><coding><code value="MTH"/></coding></relationship></RelatedPerson></contained><link><other><reference value="#mum"/></other><type value="seealso"/></link>'),
    );
    expect(tree).toEqual({
      resourceType: 'Patient',
      contained: [{ resourceType: 'RelatedPerson', id: 'mum', patient: { reference: '#' }, relationship: [{ coding: [{ code: 'MTH' }] }] }],
      link: [{ other: { reference: '#mum' }, type: 'seealso' }],
    });
    const { tree: params } = await readFhirXml(
      '<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="subject"/><resource><Patient><active value="false"/></Patient></resource></parameter><parameter><name value="count"/><valueInteger value="-3"/></parameter><parameter><name value="nested"/><part><name value="flag"/><valueBoolean value="true"/></part></parameter></Parameters>',
    );
    expect(params).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'subject', resource: { resourceType: 'Patient', active: false } },
        { name: 'count', valueInteger: -3 },
        { name: 'nested', part: [{ name: 'flag', valueBoolean: true }] },
      ],
    });
  });

  it('gives arrays for repeating elements defined by reference (Consent.provision.provision)', async () => {
    const { tree } = await readFhirXml(
      '<Consent xmlns="http://hl7.org/fhir"><status value="active"/><provision><type value="permit"/><provision><type value="deny"/><period><start value="2024-01-01"/></period></provision></provision></Consent>',
    );
    expect(tree).toEqual({
      resourceType: 'Consent',
      status: 'active',
      provision: { type: 'permit', provision: [{ type: 'deny', period: { start: '2024-01-01' } }] },
    });
  });

  it('accepts a prefixed FHIR namespace', async () => {
    const { tree } = await readFhirXml('<f:Patient xmlns:f="http://hl7.org/fhir"><f:gender value="male"/></f:Patient>');
    expect(tree).toEqual({ resourceType: 'Patient', gender: 'male' });
  });

  it('reads a 100-entry Bundle (its speed is measured in bench/, not here)', async () => {
    const entry = (i: number) =>
      `<entry><fullUrl value="urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}"/><resource>${PATIENT_XML.replace(/^<\?xml[^>]*>\s*<!--[^>]*>\s*/, '').replace(/<Patient [^>]*>/, '<Patient>')}</resource></entry>`;
    const xml = `<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>${Array.from({ length: 100 }, (_, i) => entry(i)).join('')}</Bundle>`;
    const { tree } = await readFhirXml(xml);
    expect((tree as fhir4.Bundle).entry).toHaveLength(100);
    expect((tree as fhir4.Bundle).entry?.[99]?.resource).toEqual(PATIENT_JSON);
  });

  describe('refuses, naming where', () => {
    it('malformed XML', async () => {
      const e = await refusal(() => readFhirXml(xmlPatient('<name><family value="x"></name>')));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toMatch(/not well formed.*Line: \d+ Column: \d+/);
    });

    it('a DOCTYPE / entity expansion bomb (billion laughs)', async () => {
      const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Patient xmlns="http://hl7.org/fhir"><name><family value="&lol3;"/></name></Patient>`;
      const e = await refusal(() => readFhirXml(bomb));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toMatch(/DOCTYPE/);
    });

    it('the wrong namespace, at the root or below', async () => {
      let e = await refusal(() => readFhirXml('<Patient xmlns="http://hl7.org/fhir/v3"><active value="true"/></Patient>'));
      expect(e.issues[0]?.expression).toEqual(['Patient']);
      expect(e.issues[0]?.diagnostics).toContain('http://hl7.org/fhir/v3');
      e = await refusal(() => readFhirXml('<Patient><active value="true"/></Patient>'));
      expect(e.issues[0]?.expression).toEqual(['Patient']);
      expect(e.issues[0]?.diagnostics).toContain('no namespace');
      e = await refusal(() => readFhirXml(xmlPatient('<name><family xmlns="urn:other" value="x"/></name>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.name[0].family']);
    });

    it('an element R4 does not define there', async () => {
      let e = await refusal(() => readFhirXml(xmlPatient('<name><given value="Ava"/><nickname value="Avi"/></name>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.name[0].nickname']);
      expect(e.issues[0]?.diagnostics).toContain('HumanName.nickname');
      e = await refusal(() => readFhirXml(TRANSACTION_XML.replace('<status value="active"/>', '<status value="active"/><colour value="red"/>')));
      expect(e.issues[0]?.expression).toEqual(['Bundle.entry[1].resource.colour']);
      e = await refusal(() => readFhirXml(xmlPatient('<extension><url value="https://example.org/x"/></extension>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.extension[0].url']);
      expect(e.issues[0]?.diagnostics).toContain('attribute');
      e = await refusal(() => readFhirXml('<Shoe xmlns="http://hl7.org/fhir"/>'));
      expect(e.issues[0]?.expression).toEqual(['Shoe']);
    });

    it('a repeated single-valued element, a value of the wrong type, text content', async () => {
      let e = await refusal(() => readFhirXml(xmlPatient('<gender value="female"/><gender value="male"/>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.gender']);
      e = await refusal(() => readFhirXml(xmlPatient('<active value="yes"/>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.active']);
      e = await refusal(() => readFhirXml(xmlPatient('<multipleBirthInteger value="2.5"/>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.multipleBirthInteger']);
      e = await refusal(() => readFhirXml(xmlPatient('<gender>female</gender>')));
      expect(e.issues[0]?.expression).toEqual(['Patient.gender']);
    });

    it('bytes that are not UTF-8, and an empty body', async () => {
      const bytes = new Uint8Array([...new TextEncoder().encode('<Patient xmlns="http://hl7.org/fhir"><name><family value="'), 0xc3, 0x28, ...new TextEncoder().encode('"/></name></Patient>')]);
      let e = await refusal(() => readFhirXml(bytes));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toContain('UTF-8');
      e = await refusal(() => readFhirXml(new Uint8Array()));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toContain('empty');
    });
  });
});

describe('readFhirJson', () => {
  it('reads a resource and takes its id as the message id', () => {
    const body = JSON.stringify(PATIENT_JSON);
    const r = readFhirJson(new TextEncoder().encode(`\ufeff${body}`));
    expect(r).toEqual({ format: 'fhir-r4-json', tree: PATIENT_JSON, messageId: 'pat-ava-testperson', warnings: [] });
    expect(readFhirJson('{"resourceType":"Bundle","type":"message"}').messageId).toBeUndefined();
  });

  describe('refuses, naming where', () => {
    it('invalid JSON, with line and column, without echoing the body', async () => {
      const e = await refusal(() => readFhirJson('{\n  "resourceType": "Patient",\n  "active": tru\n}'));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toContain('line 3, column 13');
      expect(e.issues[0]?.diagnostics).not.toContain('tru');
      const trailing = await refusal(() => readFhirJson('{"resourceType":"Patient",}'));
      expect(trailing.issues[0]?.diagnostics).toContain('line 1, column 27');
    });

    it('JSON that is not an object', async () => {
      for (const body of ['[{"resourceType":"Patient"}]', '"Patient"', '42', 'null']) {
        const e = await refusal(() => readFhirJson(body));
        expect(e.issues[0]?.expression).toEqual(['body']);
        expect(e.issues[0]?.diagnostics).toContain('must be a JSON object');
      }
    });

    it('an object without a string resourceType', async () => {
      let e = await refusal(() => readFhirJson('{"id":"x","active":true}'));
      expect(e.issues[0]?.expression).toEqual(['resourceType']);
      e = await refusal(() => readFhirJson('{"resourceType":7}'));
      expect(e.issues[0]?.expression).toEqual(['resourceType']);
    });

    it('__proto__, constructor and prototype keys anywhere', async () => {
      let e = await refusal(() => readFhirJson('{"resourceType":"Patient","name":[{"family":"x","__proto__":{"admin":true}}]}'));
      expect(e.issues[0]?.expression).toEqual(['Patient.name[0].__proto__']);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
      e = await refusal(() => readFhirJson('{"constructor":{"prototype":{}},"resourceType":"Patient"}'));
      expect(e.issues[0]?.expression).toEqual(['Patient.constructor']);
    });

    it('nesting deeper than 64 (depth bombs)', async () => {
      let deep = '{"url":"x"}';
      for (let i = 0; i < 70; i++) deep = `{"url":"x","extension":[${deep}]}`;
      let e = await refusal(() => readFhirJson(`{"resourceType":"Patient","extension":[${deep}]}`));
      expect(e.issues[0]?.expression?.[0]).toMatch(/^Patient\.extension\[0\]\.extension\[0\]/);
      expect(e.issues[0]?.diagnostics).toContain('64');
      const n = 200_000;
      e = await refusal(() => readFhirJson(`{"resourceType":"Patient","x":${'['.repeat(n)}${']'.repeat(n)}}`));
      expect(e.issues[0]?.expression?.[0]).toMatch(/^Patient\.x(\[0\])+$/);
      e = await refusal(() => readFhirJson(`{"resourceType":"Patient","x":${'['.repeat(n)}`));
      expect(e.issues[0]?.diagnostics).toContain('nesting deeper than 64');
    });

    it('bytes that are not UTF-8, and an empty body', async () => {
      let e = await refusal(() => readFhirJson(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])));
      expect(e.issues[0]?.expression).toEqual(['body']);
      expect(e.issues[0]?.diagnostics).toContain('UTF-8');
      for (const body of [new Uint8Array(), '', '  \n']) {
        e = await refusal(() => readFhirJson(body));
        expect(e.issues[0]?.expression).toEqual(['body']);
        expect(e.issues[0]?.diagnostics).toContain('empty');
      }
    });
  });
});

describe('sniffFhirFormat', () => {
  it('goes by the media type, parameters allowed', () => {
    expect(sniffFhirFormat('application/fhir+json', '')).toBe('fhir-r4-json');
    expect(sniffFhirFormat('Application/JSON; charset=utf-8', '<x/>')).toBe('fhir-r4-json');
    expect(sniffFhirFormat('application/fhir+json; fhirVersion=4.0', '')).toBe('fhir-r4-json');
    expect(sniffFhirFormat('application/fhir+xml;charset=UTF-8;fhirVersion=4.0.1', '')).toBe('fhir-r4-xml');
    expect(sniffFhirFormat('application/xml', '{}')).toBe('fhir-r4-xml');
    expect(sniffFhirFormat('text/xml; charset=utf-8', '')).toBe('fhir-r4-xml');
    expect(sniffFhirFormat('application/fhir+json; fhirVersion=3.0', '{}')).toBeUndefined();
    expect(sniffFhirFormat('text/plain', '{}')).toBeUndefined();
  });

  it('goes by the first non-space byte when there is no media type', () => {
    expect(sniffFhirFormat(undefined, new TextEncoder().encode(' \r\n\t{"resourceType":"Patient"}'))).toBe('fhir-r4-json');
    expect(sniffFhirFormat('', new Uint8Array([0xef, 0xbb, 0xbf, 0x0a, 0x3c]))).toBe('fhir-r4-xml');
    expect(sniffFhirFormat(undefined, '\ufeff  <Patient/>')).toBe('fhir-r4-xml');
    expect(sniffFhirFormat(undefined, 'MSH|^~\\&|')).toBeUndefined();
    expect(sniffFhirFormat(undefined, new Uint8Array())).toBeUndefined();
  });
});

const SAMPLES = fileURLToPath(new URL('../../../shared/samples/health/', import.meta.url));

describe.runIf(existsSync(SAMPLES))('the UK Core examples in shared/samples/health', () => {
  const files = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((f) => /^UKCore-.*\.xml$/.test(f)) : [];

  it('has examples to read', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s converts', async (file) => {
    const xml = readFileSync(join(SAMPLES, file), 'utf8');
    const root = /<([A-Za-z]+)[\s>]/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))?.[1];
    const r = await readFhirXml(readFileSync(join(SAMPLES, file)));
    expect(r.tree.resourceType).toBe(root);
    expect(r.warnings).toEqual([]);
    expect(JSON.parse(JSON.stringify(r.tree))).toEqual(r.tree);
    if (file === 'UKCore-Patient-RichardSmith-Example.xml') {
      expect((r.tree as fhir4.Patient).identifier?.[0]?.value).toBe('9912003888');
      expect((r.tree as fhir4.Patient).name?.[0]?.given).toEqual(['Richard']);
    }
  });
});
