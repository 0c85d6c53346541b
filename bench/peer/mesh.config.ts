// GraphQL Mesh composition for the benchmark's peer: the vendor simulators' REST APIs as
// JSON-schema sources, composed offline (no introspection, no network) into
// supergraph.graphql, which Hive Gateway serves. `bench/run.py` runs this with the
// simulators' URLs in the environment.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

export const composeConfig = defineConfig({
  output: process.env.PEER_SUPERGRAPH ?? 'supergraph.graphql',
  subgraphs: [
    {
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
        ],
      }),
    },
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
