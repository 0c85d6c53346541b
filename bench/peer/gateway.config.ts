// Hive Gateway serving the composed supergraph (see mesh.config.ts). Defaults, except
// what a benchmark needs: no landing page or GraphiQL, warnings only in the log; and
// one hand-written field, `LvContact.interactions`, for Q3.
//
// Q3 asks for each contact's latest interactions over the four vendors. Nothing in
// Mesh's declarative config merges four sources into one time-ordered list, so the
// field is written by hand, the documented way: `additionalTypeDefs` declares it,
// `additionalResolvers` resolves it by calling the Mesh sources through the
// in-context SDK (`context.<Source>.Query.<field>`). Per contact:
// - LiveVox: the contact's notes list (ids only), then its `first + 1` highest ids read
//   for their dates (one call each; LiveVox's ids rise with time), as trunkline does;
// - Engage: the contact's attempts over the 5-year horizon, one listContactAttempts
//   (SOAP). Mesh has no SOAP source in this peer's packages (its SOAP handler wants a
//   WSDL, which Engage's doc and our simulator do not publish), so this is a plain
//   fetch of the envelope, its answer read with a regular expression;
// - CRM.COM: the `first` latest communications of the contact named in custom
//   field COL6 (one call);
// - Procurios: the contact moments of the relation named in custom field COL5, newest
//   first, page by page (25 a page) until `first` are in (one call for 10);
// - MoxiWorks: the action log in 90-day windows, newest first, until `first` known
//   items (any vendor) are at least as new as the last window's start, or 5 years
//   back. The other three vendors' calls run while the first window is read.
// Then the lot is sorted newest first (ties: vendor, then vendor id) and cut at `first`.
// (MoxiWorks' stop rule counts every vendor's items, Engage's included.)
import { defineConfig } from '@graphql-hive/gateway';
import type { GraphQLError, GraphQLResolveInfo } from 'graphql';

const DAY_S = 86_400;
// MoxiWorks answers at most 90 days per call, asked from a second before the window
// (the doc's date_min is exclusive)
const WINDOW_S = 90 * DAY_S - 1;
const HORIZON_S = 1825 * DAY_S; // how far back an action log is walked
const PROCURIOS_PAGE = 25;
const RETRIES = 2;
const RETRY_PAUSE_MS = 50;
// The LiveVox custom fields that name the contact in the other vendors.
const PROCURIOS_RELATION_FIELD = 'COL5';
const CRMCOM_CONTACT_FIELD = 'COL6';

interface Interaction {
  vendor: string;
  vendorId: string;
  at: number; // epoch milliseconds
  channel: string;
  subject: string | null;
}

interface Contact {
  account: string;
  customFields?: { field?: string | null; value?: unknown }[] | null;
}

// A source call's arguments, as the in-context SDK takes them.
type Call = (options: {
  root: unknown;
  args: Record<string, unknown>;
  context: unknown;
  info: GraphQLResolveInfo;
  selectionSet: string;
}) => Promise<any>;

const MOXI_CHANNELS: Record<string, string> = {
  call: 'PHONE',
  email: 'EMAIL',
  text: 'SMS',
  mail: 'LETTER',
  meeting: 'FACE_TO_FACE',
  inperson: 'FACE_TO_FACE',
};
const PROCURIOS_CHANNELS: Record<string, string> = {
  ContactMomentPhone: 'PHONE',
  ContactMomentEmail: 'EMAIL',
  ContactMomentVisit: 'VISIT',
  ContactMomentLetter: 'LETTER',
  ContactMomentSms: 'SMS',
};
const CRMCOM_CHANNELS = new Set(['EMAIL', 'SMS', 'PHONE', 'LETTER', 'FACE_TO_FACE']);

function text(value: unknown): string | null {
  const out = value == null ? '' : String(value).trim();
  return out || null;
}

function customField(contact: Contact, name: string): string | null {
  const found = (contact.customFields ?? []).find(f => (f.field ?? '').toUpperCase() === name);
  return found ? text(found.value) : null;
}

// Vendor times without a zone are UTC.
const utc = (stamp: string): number => Date.parse(stamp + 'Z');

// A REST source reports a vendor's answer as an error with the response in its
// extensions; an error without one (the fetch threw) is a network failure.
function transient(error: Error): boolean {
  const response = (error as GraphQLError).extensions?.response as { status?: number } | undefined;
  if (response?.status === undefined) return true;
  return response.status >= 500 || response.status === 429;
}

// One source call. A failure comes back as an Error (or is thrown): one that failed on
// the network, or that the vendor answered with a 5xx or a 429, is tried again, twice,
// 50 ms apart, as trunkline's connectors do (without it, a burst after an idle pause
// sometimes reuses a keep-alive socket the simulator has just closed: "socket hang
// up"). Hive Gateway's own `upstreamRetry` does not fit: it repeats a whole subgraph
// request, and the gateway batches the concurrent calls to one source into one
// request, so it would repeat the calls that succeeded too.
async function call(source: Call, options: Omit<Parameters<Call>[0], 'root'>): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    let result: any;
    try {
      result = await source({ root: {}, ...options });
    } catch (error) {
      result = error;
    }
    if (!(result instanceof Error)) return result;
    if (attempt >= RETRIES || !transient(result)) throw result;
    await new Promise(resolve => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

// ---- Engage (SOAP 1.1, WS-Security UsernameToken), by hand ----
const ENGAGE_ORG = process.env.PEER_ENGAGE_ORG ?? '1001';
const ENGAGE_CHANNELS: Record<string, string> = { Voice: 'CALL_ATTEMPT', SMS: 'SMS', Email: 'EMAIL' };
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

const xml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function leaf(fragment: string, name: string): string | null {
  const found = fragment.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return found ? found[1].trim() || null : null;
}

function engageEnvelope(operation: string, args: string): string {
  const user = xml(process.env.TRUNKLINE_ENGAGE_USERNAME ?? '');
  const password = xml(process.env.TRUNKLINE_ENGAGE_PASSWORD ?? '');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:engage">' +
    `<s:Header><w:Security xmlns:w="${WSSE}"><w:UsernameToken><w:Username>${user}</w:Username>` +
    `<w:Password Type="${PASSWORD_TEXT}">${password}</w:Password></w:UsernameToken></w:Security></s:Header>` +
    `<s:Body><e:${operation}>${args}</e:${operation}></s:Body></s:Envelope>`
  );
}

// One SOAP call, retried like the sources' calls (network failures and 5xx other than
// a SOAP fault); a fault is thrown with its code.
async function engageCall(url: string, operation: string, body: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    let text: string | null = null;
    let failure: Error | null = null;
    try {
      const response = await fetch(url + '/engage/api', {
        method: 'POST',
        headers: { SOAPAction: `"${operation}"`, 'Content-Type': 'text/xml; charset=utf-8' },
        body,
      });
      text = await response.text();
      if (text.includes('Fault>')) {
        const code = leaf(text, 'faultcode') ?? 'Fault';
        if (!code.endsWith('Server')) throw new Error(`ENGAGE: ${code}: ${leaf(text, 'faultstring')}`);
        failure = new Error(`ENGAGE: ${code}`);
      } else if (!response.ok) {
        failure = new Error(`ENGAGE: HTTP ${response.status}`);
      }
    } catch (error) {
      if (text !== null && failure === null) throw error; // a fault: not retried
      failure = error as Error;
    }
    if (failure === null && text !== null) return text;
    if (attempt >= RETRIES) throw failure;
    await new Promise(resolve => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

function newestFirst(a: Interaction, b: Interaction): number {
  if (a.at !== b.at) return b.at - a.at;
  if (a.vendor !== b.vendor) return a.vendor < b.vendor ? -1 : 1;
  return a.vendorId < b.vendorId ? -1 : a.vendorId > b.vendorId ? 1 : 0;
}

async function interactions(
  contact: Contact,
  first: number,
  context: any,
  info: GraphQLResolveInfo,
): Promise<Interaction[]> {
  const account = contact.account;

  const notes = async (): Promise<Interaction[]> => {
    const answer = await call(context.LiveVox.Query.contactNotes, {
      args: { account },
      context,
      info,
      selectionSet: '{ listContactNotes { id } }',
    });
    const ids: number[] = (answer?.listContactNotes ?? []).map((n: any) => n.id);
    ids.sort((a, b) => b - a);
    const read = await Promise.all(
      ids.slice(0, first + 1).map(id =>
        call(context.LiveVox.Query.contactNote, {
          args: { account, id },
          context,
          info,
          selectionSet: '{ id createDate }',
        }),
      ),
    );
    return read.map((n: any) => ({
      vendor: 'livevox',
      vendorId: `${account}/${n.id}`,
      at: n.createDate,
      channel: 'NOTE',
      subject: null,
    }));
  };

  const attempts = async (since: number, until: number): Promise<Interaction[]> => {
    const url = process.env.TRUNKLINE_ENGAGE_URL;
    if (!url) return [];
    const body = engageEnvelope(
      'listContactAttempts',
      `<e:org><internalId>${ENGAGE_ORG}</internalId></e:org>` +
        `<e:sample><contact><externalId>${xml(account)}</externalId></contact></e:sample>` +
        `<e:fromTime>${iso(since)}</e:fromTime><e:toTime>${iso(until)}</e:toTime>`,
    );
    const answer = await engageCall(url, 'listContactAttempts', body);
    const out: Interaction[] = [];
    for (const item of answer.matchAll(/<return>([\s\S]*?)<\/return>/g)) {
      const id = leaf(item[1], 'internalId');
      const started = leaf(item[1], 'startTime');
      if (!id || !started) throw new Error('ENGAGE: ContactAttempt without internalId or startTime');
      const at = Date.parse(started);
      if (at < since * 1000 || at >= until * 1000) continue; // windows are half-open
      const channel = leaf(item[1], 'channel');
      out.push({
        vendor: 'engage',
        vendorId: id,
        at,
        channel: ENGAGE_CHANNELS[channel ?? ''] ?? 'OTHER',
        subject: `${channel ?? 'Contact'} attempt`,
      });
    }
    return out;
  };

  const communications = async (): Promise<Interaction[]> => {
    const id = customField(contact, CRMCOM_CONTACT_FIELD);
    if (!id) return [];
    const answer = await call(context.CrmCom.Query.communications, {
      args: { contact: { id }, numberOfResults: first, fieldsSet: 'id,log_information,media,subject' },
      context,
      info,
      selectionSet: '{ status { code message } data { id media subject log_information { created_date } } }',
    });
    if (answer?.status?.code !== 'OK') {
      throw new Error(`CRM.COM: ${answer?.status?.code}: ${answer?.status?.message}`);
    }
    return (answer.data ?? []).map((c: any) => {
      const media = String(c.media ?? '').toUpperCase();
      return {
        vendor: 'crmcom',
        vendorId: c.id,
        at: utc(c.log_information.created_date),
        channel: CRMCOM_CHANNELS.has(media) ? media : 'OTHER',
        subject: text(c.subject),
      };
    });
  };

  const moments = async (): Promise<Interaction[]> => {
    const relation = customField(contact, PROCURIOS_RELATION_FIELD);
    if (!relation || !/^\d+$/.test(relation)) return [];
    const out: Interaction[] = [];
    for (let page = 1; ; page++) {
      const answer: any[] =
        (await call(context.Procurios.Query.contactMoments, {
          args: { relationIds: relation, page },
          context,
          info,
          selectionSet: '{ id type subject dateTime }',
        })) ?? [];
      for (const m of answer) {
        out.push({
          vendor: 'procurios',
          vendorId: String(m.id),
          at: utc(m.dateTime),
          channel: PROCURIOS_CHANNELS[m.type] ?? 'OTHER',
          subject: text(m.subject),
        });
      }
      if (answer.length < PROCURIOS_PAGE || out.length >= first) return out;
    }
  };

  const actionLogs = async (start: number, end: number): Promise<Interaction[]> => {
    const answer = await call(context.MoxiWorks.Query.actionLogs, {
      args: { partnerContactId: account, dateMin: start - 1, dateMax: end },
      context,
      info,
      selectionSet: '{ actions { moxi_works_action_log_id type timestamp log_data { title agent_action } } }',
    });
    return (answer?.actions ?? [])
      .filter((a: any) => start <= a.timestamp && a.timestamp < end) // windows are half-open
      .map((a: any) => ({
        vendor: 'moxiworks',
        vendorId: a.moxi_works_action_log_id,
        at: a.timestamp * 1000,
        channel: MOXI_CHANNELS[String(a.type ?? '').toLowerCase()] ?? 'ACTION_LOG',
        subject: text(a.log_data?.title) ?? text(a.log_data?.agent_action),
      }));
  };

  const now = Date.now() / 1000;
  const since = Math.ceil(now - HORIZON_S);
  const others = Promise.all([
    notes(),
    communications(),
    moments(),
    attempts(since, Math.floor(now) + 1),
  ]);
  others.catch(() => {}); // awaited below; don't let an early failure go unhandled

  let known: Interaction[] = [];
  const moxi: Interaction[] = [];
  for (let end = Math.floor(now) + 1; end > since; ) {
    const start = Math.max(end - WINDOW_S, since);
    moxi.push(...(await actionLogs(start, end)));
    known = [...(await others).flat(), ...moxi];
    // Older windows only hold items older than `start`: enough newer ones, stop.
    if (known.filter(i => i.at >= start * 1000).length >= first) break;
    end = start;
  }
  return known.sort(newestFirst).slice(0, first);
}

// ---- Q5 by hand: the supervisor dashboard over Engage's SOAP lists ----
// Mesh composes no Engage source here (no WSDL), so Q5's two root fields are
// hand-written like Q3's interactions: the same calls as trunkline's and the
// baseline's. `listCampaigns` and the week's `listContactBatchStates` at once, then
// `listSubCampaignStates` from the oldest campaign's creation to a year ahead; beside
// them the contact's day of attempts, a window Engage refuses past 500 halved, the
// newer half first, until `first` are in.
const ENGAGE_ACTIVE = new Set(['Loading', 'Running', 'Paused', 'Pending', 'Stopping']);
const ENGAGE_SUB_STATES = new Set([...ENGAGE_ACTIVE, 'Awaiting', 'Cancelled', 'Completing', 'Done']);
const ENGAGE_BATCH_STATES = new Set(['Pending', 'Running', 'Done', 'Cancelled']);

const returnsOf = (answer: string): string[] =>
  [...answer.matchAll(/<return>([\s\S]*?)<\/return>/g)].map(m => m[1]);

const element = (fragment: string, name: string): string | null => {
  const found = fragment.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`));
  return found ? found[1] : null;
};

const seconds = (stamp: string): number => Math.floor(Date.parse(stamp) / 1000);
const stateName = (value: string | null, known: Set<string>): string =>
  value && known.has(value) ? value.toUpperCase() : 'UNKNOWN';
const globalId = (kind: string, key: string): string => Buffer.from(`${kind}:${key}`).toString('base64');
const intOf = (value: string | null): number | null => (value && /^-?\d+$/.test(value) ? Number(value) : null);
const isoOf = (stamp: string | null): string | null =>
  stamp ? new Date(Date.parse(stamp)).toISOString().replace('.000Z', '+00:00') : null;

async function engageSplit(
  operation: string,
  args: (start: number, end: number) => string,
  since: number,
  until: number,
  limit: number,
): Promise<{ items: string[]; more: boolean }> {
  const url = process.env.TRUNKLINE_ENGAGE_URL ?? '';
  const step = until - since;
  let end = until;
  let width = step;
  const items: string[] = [];
  while (end > since) {
    const span = Math.min(width, end - since);
    const start = end - span;
    let answer: string;
    try {
      answer = await engageCall(url, operation, engageEnvelope(operation, args(start, end)));
    } catch (error) {
      if (!String((error as Error).message).includes('RESULT_TOO_LARGE') || span <= 1) throw error;
      width = Math.floor(span / 2);
      continue;
    }
    items.push(...returnsOf(answer));
    end = start;
    width = Math.min(step, span * 2);
    if (items.length >= limit) break;
  }
  return { items, more: end > since };
}

const org = (): string => `<e:org><internalId>${ENGAGE_ORG}</internalId></e:org>`;
const timeWindow = (start: number, end: number): string =>
  `<e:fromTime>${iso(start)}</e:fromTime><e:toTime>${iso(end)}</e:toTime>`;

async function campaignPage(first: number, since: number, until: number): Promise<any> {
  const url = process.env.TRUNKLINE_ENGAGE_URL ?? '';
  const listed = engageCall(url, 'listCampaigns', engageEnvelope('listCampaigns', org()));
  const week = engageSplit('listContactBatchStates', timeWindow, since, until, Infinity);
  week.catch(() => {}); // awaited below
  const campaigns = returnsOf(await listed).map(c => ({
    id: element(c, 'internalId') ?? '',
    name: element(c, 'name'),
    createdAt: isoOf(element(c, 'createdDate')),
    created: seconds(element(c, 'createdDate') ?? ''),
  }));
  const from = Math.min(...campaigns.map(c => c.created));
  const to = Math.floor(Date.now() / 1000) + 366 * DAY_S;
  const subRows = await engageSplit(
    'listSubCampaignStates',
    (s, e) => org() + '<e:sample><state>All</state></e:sample>' + timeWindow(s, e),
    from,
    to,
    Infinity,
  );
  const subs = new Map<string, any[]>(campaigns.map(c => [c.id, []]));
  for (const row of subRows.items) {
    const sub = element(row, 'subCampaign') ?? '';
    const owner = element(element(sub, 'campaign') ?? '', 'internalId') ?? '';
    const starts = row.replace(/<subCampaign>[\s\S]*<\/subCampaign>/, '').match(/<fromDate>([^<]*)</)?.[1]
      ?? element(sub, 'fromDate');
    if (!subs.has(owner)) continue;
    if (starts && !(from <= seconds(starts) && seconds(starts) < to)) continue;
    const id = element(sub, 'internalId') ?? '';
    const name = element(sub.replace(/<campaign>[\s\S]*?<\/campaign>|<agentGroup>[\s\S]*?<\/agentGroup>|<pass>[\s\S]*?<\/pass>/g, ''), 'name');
    subs.get(owner)!.push({
      order: [starts ? seconds(starts) : from, name ?? '', id],
      id: globalId('SubCampaign', id),
      name,
      state: stateName(element(row.replace(/<subCampaign>[\s\S]*<\/subCampaign>/, ''), 'state'), ENGAGE_SUB_STATES),
      passes: [...sub.matchAll(/<pass>([\s\S]*?)<\/pass>/g)].map(p => ({
        channel: element(p[1], 'channel'),
        contactsPerMinute: intOf(element(p[1], 'contactsPerMinute')),
      })),
    });
  }
  const byOrder = (a: any, b: any): number => {
    for (let i = 0; i < 3; i++) if (a.order[i] !== b.order[i]) return a.order[i] < b.order[i] ? -1 : 1;
    return 0;
  };
  for (const list of subs.values()) list.sort(byOrder);
  const batches = (await week).items
    .map(row => {
      const batch = element(row, 'contactBatch') ?? row;
      const outer = row.replace(/<contactBatch>[\s\S]*<\/contactBatch>/, '');
      const created = element(batch, 'createdDate');
      const external = element(batch.replace(/<campaign>[\s\S]*?<\/campaign>|<owner>[\s\S]*?<\/owner>/g, ''), 'externalId') ?? '';
      return {
        order: [created ? seconds(created) : 0, element(batch, 'internalId') ?? '', external],
        campaign: element(element(batch, 'campaign') ?? '', 'internalId'),
        created: created ? seconds(created) : null,
        node: {
          id: globalId('ContactBatch', external),
          externalId: external,
          state: stateName(element(outer, 'state') ?? element(batch, 'state'), ENGAGE_BATCH_STATES),
          contactCount: intOf(element(outer, 'contactCount')),
          attemptedCount: intOf(element(outer, 'attemptedCount')),
          completedCount: intOf(element(outer, 'completedCount')),
        },
      };
    })
    .filter(b => b.created === null || (since <= b.created && b.created < until))
    .sort((a, b) => -byOrder(a, b));
  const active = campaigns
    .filter(c => subs.get(c.id)!.some(s => ENGAGE_ACTIVE.has(s.state.charAt(0) + s.state.slice(1).toLowerCase())))
    .sort((a, b) => (a.created !== b.created ? b.created - a.created : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const shown = active.slice(0, first);
  return {
    totalCount: active.length,
    edges: shown.map(c => ({
      node: {
        id: globalId('Campaign', c.id),
        name: c.name,
        createdAt: c.createdAt,
        subCampaigns: subs.get(c.id)!.map(({ order, ...rest }) => rest),
        contactBatches: batches.filter(b => b.campaign === c.id).map(b => b.node),
      },
    })),
    pageInfo: { hasNextPage: active.length > shown.length },
  };
}

async function attemptPage(contact: string, until: number, first: number): Promise<any> {
  const args = (start: number, end: number): string =>
    `${org()}<e:sample><contact><externalId>${xml(contact)}</externalId></contact></e:sample>${timeWindow(start, end)}`;
  const got = await engageSplit('listContactAttempts', args, until - DAY_S, until, first);
  const found = got.items.map(row => {
    const outer = row.replace(/<contact>[\s\S]*?<\/contact>|<campaign>[\s\S]*?<\/campaign>|<subCampaign>[\s\S]*?<\/subCampaign>|<contactBatch>[\s\S]*?<\/contactBatch>/g, '');
    const id = element(outer, 'internalId') ?? '';
    const started = element(outer, 'startTime') ?? '';
    return {
      key: [seconds(started), Number(id) || 0, id] as [number, number, string],
      node: { id, startedAt: isoOf(started), channel: element(outer, 'channel'), result: element(outer, 'result') },
    };
  });
  found.sort((a, b) => {
    for (let i = 0; i < 3; i++) if (a.key[i] !== b.key[i]) return a.key[i] < b.key[i] ? 1 : -1;
    return 0;
  });
  return {
    edges: found.slice(0, first).map(f => ({ node: f.node })),
    pageInfo: { hasNextPage: found.length > first || got.more },
  };
}

export const gatewayConfig = defineConfig({
  graphiql: false,
  landingPage: false,
  logging: 'warn',
  additionalTypeDefs: /* GraphQL */ `
    type ContactInteraction {
      id: ID!
      vendor: String!
      occurredAt: String!
      channel: String!
      subject: String
    }
    type EngagePass {
      channel: String
      contactsPerMinute: Int
    }
    type EngageSubCampaign {
      id: ID!
      name: String
      state: String!
      passes: [EngagePass!]!
    }
    type EngageContactBatch {
      id: ID!
      externalId: String!
      state: String!
      contactCount: Int
      attemptedCount: Int
      completedCount: Int
    }
    type EngageCampaign {
      id: ID!
      name: String
      createdAt: String
      subCampaigns: [EngageSubCampaign!]!
      contactBatches: [EngageContactBatch!]!
    }
    type EngageCampaignEdge {
      node: EngageCampaign!
    }
    type EngagePageInfo {
      hasNextPage: Boolean!
    }
    type EngageCampaignPage {
      totalCount: Int!
      edges: [EngageCampaignEdge!]!
      pageInfo: EngagePageInfo!
    }
    type EngageAttempt {
      id: ID!
      startedAt: String
      channel: String
      result: String
    }
    type EngageAttemptEdge {
      node: EngageAttempt!
    }
    type EngageAttemptPage {
      edges: [EngageAttemptEdge!]!
      pageInfo: EngagePageInfo!
    }
    extend type Query {
      "Engage campaigns with an active sub-campaign, newest first; batches created in [since, until)."
      activeCampaigns(first: Int = 10, since: String!, until: String!): EngageCampaignPage!
      "A contact's newest Engage attempts over the 24 hours up to until."
      contactAttempts(contactKey: String!, until: String!, first: Int = 50): EngageAttemptPage!
    }
    extend type LvContact {
      "The contact's latest interactions over LiveVox, MoxiWorks, Procurios, CRM.COM and Engage, newest first."
      interactions(first: Int = 10): [ContactInteraction!]!
    }
  `,
  additionalResolvers: {
    Query: {
      activeCampaigns: (_root: unknown, args: { first: number; since: string; until: string }) =>
        campaignPage(args.first, seconds(args.since), seconds(args.until)),
      contactAttempts: (_root: unknown, args: { contactKey: string; until: string; first: number }) =>
        attemptPage(args.contactKey, seconds(args.until), args.first),
    },
    LvContact: {
      interactions: {
        selectionSet: '{ account customFields { field value } }',
        resolve: (contact: Contact, args: { first: number }, context: any, info: GraphQLResolveInfo) =>
          interactions(contact, args.first, context, info),
      },
    },
    ContactInteraction: {
      id: (i: Interaction) => `${i.vendor}:${i.vendorId}`,
      occurredAt: (i: Interaction) => new Date(i.at).toISOString(),
    },
  },
});
