// The graphql-ws client (graphql-transport-ws protocol) against a served protiv.
//   node graphql-ws-client.mjs subscribe HTTP_URL TOKEN PRO_PAY_ID [AFTER_CURSOR]
//     subscribes to proPayStatusChanged (resuming after AFTER_CURSOR, so nothing is missed), cancels the ProPay over HTTP, prints the event it
//     receives as one JSON line, then completes the subscription.
//   node graphql-ws-client.mjs bad-token HTTP_URL
//     connects with a bad token; prints how the server closed the socket.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [mode, httpUrl, token, proPayId, after] = process.argv.slice(2);
const wsUrl = httpUrl.replace(/^http/, 'ws');
const SUBSCRIBE = `subscription($id: ID, $after: String) { proPayStatusChanged(id: $id, after: $after) {
  event { trigger from to } proPay { id status version } } }`;
const CANCEL = `mutation($id: ID!) { proPayCancel(input: {id: $id, reason: "graphql-ws test"}) { userErrors { code } } }`;

async function subscribe() {
  let connected;
  const ready = new Promise((resolve) => (connected = resolve));
  const ws = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { connected: () => connected() },
  });
  const events = ws.iterate({ query: SUBSCRIBE, variables: { id: proPayId, after: after || null } });
  const first = events.next();
  await ready;
  if (!after) await new Promise((resolve) => setTimeout(resolve, 300)); // let the server register it
  const canceled = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CANCEL, variables: { id: proPayId } }),
  }).then((response) => response.json());
  const received = await first;
  await events.return(); // sends `complete` for this subscription
  const completed = (await events.next()).done;
  await ws.dispose();
  console.log(JSON.stringify({ canceled, received: received.value, completed }));
}

async function badToken() {
  const closed = await new Promise((resolve) => {
    const ws = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: 'Bearer ptv_not-a-token' },
      retryAttempts: 0,
      on: { closed: (event) => resolve({ code: event.code, reason: event.reason }) },
    });
    ws.subscribe({ query: SUBSCRIBE }, { next() {}, error() {}, complete() {} });
  });
  console.log(JSON.stringify({ closed }));
}

const timeout = setTimeout(() => {
  console.error('graphql-ws client: timed out');
  process.exit(1);
}, 30000);
await (mode === 'subscribe' ? subscribe() : badToken());
clearTimeout(timeout);
