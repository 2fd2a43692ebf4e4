// The web chat: talks to the HTTP API, renders bot messages, and listens for late ones (SSE).
const log = document.getElementById('log');
const typing = document.getElementById('typing');
const composer = document.getElementById('composer');
const input = document.getElementById('text');
const send = document.getElementById('send');
const errorLine = document.getElementById('error');
const who = document.getElementById('who');
const signin = document.getElementById('signin');
const signinAs = document.getElementById('signin-as');
const choicesBar = document.getElementById('choices');
const rating = document.getElementById('rating');
const ratingThanks = document.getElementById('rating-thanks');
const ratingButtons = [...rating.querySelectorAll('button')];

const STAMPS_TEL = '+18558897867';
const shown = new Set();
let conversationId = null;
let events = null;
let waitingForLate = false;

// Storage can be refused (a cross-site iframe, private modes): then the chat just does not resume
// after a reload.
const saved = {
  get() {
    try {
      return sessionStorage.getItem('onebalance-conversation');
    } catch {
      return null;
    }
  },
  set(id) {
    try {
      sessionStorage.setItem('onebalance-conversation', id);
    } catch {
      // Not kept: nothing else depends on it.
    }
  },
};

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = !text;
}

function setTyping(on) {
  typing.hidden = !on;
}

/**
 * Plain text to DOM: paragraphs, "1. ..." lines as a numbered list, the Stamps number as a tel: link,
 * and the topic that heads one answer of several ("On prices and discounts: ...") in bold.
 */
function renderText(container, text) {
  let list = null;
  const heading = /^(On [^:\n]{3,80}:)\s+/.exec(text);
  if (heading) {
    const strong = document.createElement('strong');
    strong.className = 'topic';
    strong.textContent = heading[1];
    container.append(strong);
    text = text.slice(heading[0].length);
  }
  for (const line of text.split('\n')) {
    const step = /^\s*\d+\.\s+(.*)$/.exec(line);
    if (step) {
      if (!list) {
        list = document.createElement('ol');
        container.append(list);
      }
      const item = document.createElement('li');
      appendWithLinks(item, step[1]);
      list.append(item);
      continue;
    }
    list = null;
    if (line.trim() === '') continue;
    const paragraph = document.createElement('p');
    appendWithLinks(paragraph, line);
    container.append(paragraph);
  }
}

function appendWithLinks(element, text) {
  const parts = text.split(/(\(855\) 889-7867)/);
  for (const part of parts) {
    if (part === '(855) 889-7867') {
      const link = document.createElement('a');
      link.href = `tel:${STAMPS_TEL}`;
      link.textContent = part;
      element.append(link);
    } else if (part) {
      element.append(document.createTextNode(part));
    }
  }
}

/** The quick answers of the newest message, as buttons that send their reply; none hides the bar. */
function showChoices(choices) {
  const buttons = (choices ?? []).map((choice) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = choice.label;
    button.addEventListener('click', () => void sendText(choice.reply));
    return button;
  });
  choicesBar.replaceChildren(...buttons);
  choicesBar.hidden = buttons.length === 0;
}

/** "Did this solve it?" under an answer that resolves its topic; `turnId` undefined hides it. */
function askRating(turnId) {
  rating.hidden = turnId === undefined;
  rating.dataset.turnId = turnId ?? '';
  ratingThanks.textContent = '';
  for (const button of ratingButtons) button.disabled = false;
}

async function rate(solved) {
  const turnId = rating.dataset.turnId;
  if (!turnId || !conversationId) return;
  for (const button of ratingButtons) button.disabled = true;
  try {
    const answer = await api(`/api/conversations/${conversationId}/rating`, { turnId, solved });
    ratingThanks.textContent = 'Thank you for telling us.';
    for (const message of answer.messages) addMessage(message);
  } catch (error) {
    for (const button of ratingButtons) button.disabled = false;
    showError(error.message);
  }
}

for (const button of ratingButtons) {
  button.addEventListener('click', () => void rate(button.dataset.solved === 'true'));
}

function addMessage(message) {
  if (shown.has(message.id)) return;
  shown.add(message.id);
  const item = document.createElement('li');
  item.className = message.role;
  item.dataset.id = message.id;
  const label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent =
    { bot: 'Support bot: ', agent: 'Support agent: ', customer: 'You: ' }[message.role] ?? '';
  if (message.role === 'agent') {
    const name = document.createElement('strong');
    name.textContent = 'Support team';
    name.className = 'agent-name';
    item.append(name);
  }
  item.append(label);
  renderText(item, message.text);
  log.append(item);
  // A bot message without quick answers (a ticket number arriving later) leaves the open
  // question's buttons; the customer's own message, or a person's, answers or replaces it.
  if (message.role !== 'bot' || message.choices !== undefined) showChoices(message.choices);
  // Within the conversation's own scroll area: a message taller than the area shows from its start
  // (the steps' first lines), any other ends at the bottom.
  item.scrollIntoView({ block: item.offsetHeight > log.clientHeight ? 'start' : 'end' });
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error?.message ?? `The service answered ${response.status}.`);
  return json;
}

function listen(id) {
  events?.close();
  events = new EventSource(`/api/conversations/${id}/events`);
  events.addEventListener('message', (event) => {
    addMessage(JSON.parse(event.data));
    if (waitingForLate) {
      waitingForLate = false;
      setTyping(false);
    }
  });
}

async function start(identity) {
  showError('');
  log.replaceChildren();
  showChoices();
  askRating(undefined);
  shown.clear();
  try {
    const conversation = await api('/api/conversations', identity ?? {});
    conversationId = conversation.id;
    saved.set(conversationId);
    who.textContent = conversation.verified ? `Signed in as ${identity.email}` : 'Not signed in';
    listen(conversationId);
    for (const message of conversation.messages) addMessage(message);
    input.focus();
  } catch (error) {
    showError(error.message);
  }
}

async function resume(id) {
  try {
    const conversation = await api(`/api/conversations/${id}`);
    conversationId = id;
    who.textContent = conversation.verified ? 'Signed in' : 'Not signed in';
    listen(id);
    for (const message of conversation.messages) addMessage(message);
    return true;
  } catch {
    return false;
  }
}

async function sendText(text) {
  if (!text || !conversationId || send.disabled) return;
  showError('');
  send.disabled = true;
  askRating(undefined);
  addMessage({ id: `local-${Date.now()}`, role: 'customer', text });
  setTyping(true);
  try {
    const turn = await api(`/api/conversations/${conversationId}/messages`, { text });
    for (const message of turn.messages) addMessage(message);
    if (turn.resolved) askRating(turn.turnId);
    waitingForLate = turn.pending;
    if (!turn.pending) setTyping(false);
  } catch (error) {
    setTyping(false);
    showError(error.message);
  } finally {
    send.disabled = false;
    input.focus();
  }
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  // While a message is on its way the text stays in the box, to send when it is answered.
  if (!text || send.disabled) return;
  input.value = '';
  void sendText(text);
});

// Enter sends, Shift+Enter makes a new line: the whole chat works from the keyboard.
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

signin.addEventListener('submit', (event) => {
  event.preventDefault();
  const choice = signinAs.value ? JSON.parse(signinAs.value) : undefined;
  void start(choice);
});

async function offerDemoSignIn() {
  const response = await fetch('/api/dev/identities').catch(() => null);
  if (!response?.ok) return;
  const identities = await response.json();
  const none = new Option('Not signed in', '');
  signinAs.append(
    none,
    ...identities.map((identity) => new Option(identity.email, JSON.stringify(identity))),
  );
  signin.hidden = false;
}

// The widget passes the host app's signed identity in the fragment (never sent to the server in a URL).
const fragment = new URLSearchParams(location.hash.slice(1));
const embedded = fragment.get('email') && fragment.get('identity');
if (embedded) {
  history.replaceState(null, '', location.pathname + location.search);
  void start({ email: fragment.get('email'), identity: fragment.get('identity') });
} else {
  void offerDemoSignIn();
  const previous = saved.get();
  if (!(previous && (await resume(previous)))) void start();
}
