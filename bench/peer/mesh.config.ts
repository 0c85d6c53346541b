// GraphQL Mesh composition for the benchmark's peer: the vendor simulators' REST APIs as
// JSON-schema sources, composed offline (no introspection, no network) into
// supergraph.graphql, which Hive Gateway serves. `bench/run.py` runs this with the
// simulators' URLs in the environment; a vendor whose simulator the run did not start
// (a Q1/Q2-only run starts LiveVox alone) is left out. Credentials reach the gateway as
// PEER_* variables, read per call through Mesh's `{env.NAME}` interpolation: a LiveVox
// session and a CRM.COM token the harness logged in for, MoxiWorks' Basic
// authorization and agent, Procurios' bearer token.
import { defineConfig, type MeshComposeCLISubgraphConfig as Subgraph } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const livevox: Subgraph = {
  sourceHandler: loadJSONSchemaSubgraph('LiveVox', {
    endpoint: env('TRUNKLINE_LIVEVOX_URL'),
    // LiveVox wants a session: the harness logs in once and passes it in.
    operationHeaders: {
      'LV-Access': '{env.PEER_LV_ACCESS}',
      'LV-Session': '{env.PEER_LV_SESSION}',
    },
    operations: [
      {
        type: 'Query',
        field: 'searchContacts',
        path: '/contact/contacts/search?offset={args.offset}&count={args.count}',
        method: 'POST',
        argTypeMap: { offset: { type: 'integer' }, count: { type: 'integer' } },
        requiredArgs: ['offset', 'count'],
        requestSchema: './schemas/livevox-search-request.json',
        responseSchema: './schemas/livevox-contact-search.json',
      },
      {
        type: 'Query',
        field: 'contacts',
        path: '/contact/contacts?offset={args.offset}&count={args.count}',
        method: 'GET',
        argTypeMap: { offset: { type: 'integer' }, count: { type: 'integer' } },
        requiredArgs: ['offset', 'count'],
        responseSchema: './schemas/livevox-contact-list.json',
      },
      {
        type: 'Query',
        field: 'contactGroups',
        path: '/contact/contactGroups?offset=0&count=1000',
        method: 'GET',
        // The key list the batching join passes in; LiveVox has no by-ids read,
        // so the whole group list answers every key in one call.
        argTypeMap: { ids: { type: 'array', items: { type: 'integer' } } },
        responseSchema: './schemas/livevox-groups.json',
      },
      {
        type: 'Query',
        field: 'contactNotes',
        path: '/contact/contacts/{args.account}/notes/',
        method: 'GET',
        argTypeMap: { account: { type: 'string' } },
        requiredArgs: ['account'],
        responseSchema: './schemas/livevox-notes.json',
      },
      {
        // The notes list carries ids only: a note's date comes from reading it.
        type: 'Query',
        field: 'contactNote',
        path: '/contact/contacts/{args.account}/notes/{args.id}',
        method: 'GET',
        argTypeMap: { account: { type: 'string' }, id: { type: 'integer' } },
        requiredArgs: ['account', 'id'],
        responseSchema: './schemas/livevox-note.json',
      },
    ],
  }),
};

// One agent's action log of one contact (partner_contact_id = the LiveVox account),
// at most 90 days per call.
const moxiworks = (): Subgraph => ({
  sourceHandler: loadJSONSchemaSubgraph('MoxiWorks', {
    endpoint: env('TRUNKLINE_MOXIWORKS_URL'),
    operationHeaders: {
      Authorization: '{env.PEER_MOXI_AUTHORIZATION}',
      Accept: 'application/vnd.moxi-platform+json;version=1',
    },
    queryParams: { agent_uuid: '{env.PEER_MOXI_AGENT_UUID}' },
    operations: [
      {
        type: 'Query',
        field: 'actionLogs',
        path: '/api/action_logs',
        method: 'GET',
        argTypeMap: {
          partnerContactId: { type: 'string' },
          dateMin: { type: 'integer' },
          dateMax: { type: 'integer' },
        },
        requiredArgs: ['partnerContactId', 'dateMin', 'dateMax'],
        queryParamArgMap: {
          partner_contact_id: 'partnerContactId',
          date_min: 'dateMin',
          date_max: 'dateMax',
        },
        responseSchema: './schemas/moxiworks-action-logs.json',
      },
    ],
  }),
});

// Contact moments whose sender or a recipient is one of `relationIds`, newest first,
// 25 a page.
const procurios = (): Subgraph => ({
  sourceHandler: loadJSONSchemaSubgraph('Procurios', {
    endpoint: env('TRUNKLINE_PROCURIOS_URL'),
    operationHeaders: {
      Authorization: 'Bearer {env.PEER_PROCURIOS_TOKEN}',
      Accept: 'application/vnd.procurios.contact_moment+json; version=1',
    },
    operations: [
      {
        type: 'Query',
        field: 'contactMoments',
        path: '/l/contact_moment_api/contact_moment',
        method: 'GET',
        argTypeMap: { relationIds: { type: 'string' }, page: { type: 'integer' } },
        requiredArgs: ['relationIds', 'page'],
        queryParamArgMap: { relationIds: 'relationIds', page: 'page' },
        responseSchema: './schemas/procurios-contact-moments.json',
      },
    ],
  }),
});

// A contact's communications, newest first; the login token rides in the query.
const crmcom = (): Subgraph => ({
  sourceHandler: loadJSONSchemaSubgraph('CrmCom', {
    endpoint: env('TRUNKLINE_CRMCOM_URL') + '/crmapi/rest/v2',
    queryParams: { token: '{env.PEER_CRM_TOKEN}' },
    operations: [
      {
        type: 'Query',
        field: 'communications',
        path: '/communications/list',
        method: 'GET',
        argTypeMap: {
          // CRM.COM identifiers are objects naming one field, JSON-encoded in a GET
          contact: {
            title: 'CrmContactIdentifier',
            type: 'object',
            properties: { id: { type: 'string' } },
          },
          numberOfResults: { type: 'integer' },
          fieldsSet: { type: 'string' },
        },
        requiredArgs: ['contact'],
        queryParamArgMap: {
          contact_information_identifier: 'contact',
          number_of_results: 'numberOfResults',
          fields_set: 'fieldsSet',
        },
        queryStringOptionsByParam: {
          contact_information_identifier: { jsonStringify: true },
        },
        responseSchema: './schemas/crmcom-communications.json',
      },
    ],
  }),
});

const started = (name: string): boolean => Boolean(process.env[`TRUNKLINE_${name}_URL`]);

export const composeConfig = defineConfig({
  output: process.env.PEER_SUPERGRAPH ?? 'supergraph.graphql',
  subgraphs: [
    livevox,
    ...(started('MOXIWORKS') ? [moxiworks()] : []),
    ...(started('PROCURIOS') ? [procurios()] : []),
    ...(started('CRMCOM') ? [crmcom()] : []),
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type LvContact {
      group: LvGroup
        @resolveTo(
          sourceName: "LiveVox"
          sourceTypeName: "Query"
          sourceFieldName: "contactGroups"
          keyField: "groupId"
          keysArg: "ids"
          result: "contactGroup"
          valueKeyField: "id"
        )
    }
  `,
});
