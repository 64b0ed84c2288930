// Apollo Client 4 from Node with its default settings (HttpLink, InMemoryCache, the default
// Accept header) against a served protiv: a query, a mutation, and a request error.
//   node apollo-client.mjs HTTP_URL TOKEN  -> one JSON line
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';

const [uri, token] = process.argv.slice(2);
const seen = [];
/** The global fetch, noting what went over the wire; it changes nothing Apollo sends. */
async function observedFetch(input, init) {
  const response = await fetch(input, init);
  seen.push({
    accept: new Headers(init?.headers).get('accept'),
    status: response.status,
    contentType: response.headers.get('content-type'),
  });
  return response;
}

const client = new ApolloClient({
  link: new HttpLink({ uri, headers: { authorization: `Bearer ${token}` }, fetch: observedFetch }),
  cache: new InMemoryCache(),
});

const query = await client.query({
  query: gql`
    query ActiveProPays {
      viewer { name role }
      proPays(first: 10, filter: { status: [ACTIVE] }) {
        totalCount
        nodes { id title status version availableActions }
      }
    }
  `,
});
const proPay = query.data.proPays.nodes[0];
const mutation = await client.mutate({
  mutation: gql`
    mutation Cancel($id: ID!, $version: Int) {
      proPayCancel(input: { id: $id, expectedVersion: $version, reason: "Paused (Apollo)" }) {
        proPay { id status version }
        event { trigger from to }
        userErrors { code message field }
      }
    }
  `,
  variables: { id: proPay.id, version: proPay.version },
});
let requestError;
try {
  await client.query({ query: gql`query Broken { proPays(first: 1) { nope } }` });
} catch (error) {
  requestError = {
    graphQLErrors: CombinedGraphQLErrors.is(error),
    messages: CombinedGraphQLErrors.is(error) ? error.errors.map((e) => e.message) : [String(error)],
  };
}
console.log(JSON.stringify({ query: query.data, mutation: mutation.data, requestError, seen }));
