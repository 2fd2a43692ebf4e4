// Embeds the One Balance support chat in another site with one tag:
//   <script src="https://SUPPORT-HOST/widget.js" data-email="customer@example.com"
//           data-identity="HEX HMAC-SHA256 OF THE EMAIL" async></script>
// The identity is computed by the host app's server with the shared secret, never in the browser.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const email = script.dataset.email ?? '';
  const identity = script.dataset.identity ?? '';
  const hash = email && identity ? `#${new URLSearchParams({ email, identity })}` : '';

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Chat with support';
  button.setAttribute('aria-expanded', 'false');
  button.style.cssText =
    'position:fixed;right:1rem;bottom:1rem;z-index:2147483000;padding:.7rem 1.1rem;border:0;border-radius:2rem;background:#1f5fbf;color:#fff;font:600 1rem system-ui,sans-serif;cursor:pointer;';

  const frame = document.createElement('iframe');
  frame.title = 'One Balance support chat';
  frame.hidden = true;
  frame.style.cssText =
    'position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(24rem,calc(100vw - 2rem));height:min(36rem,calc(100vh - 6rem));border:1px solid #c9d1db;border-radius:1rem;background:#fff;box-shadow:0 8px 30px rgba(0,0,0,.2);';

  button.addEventListener('click', () => {
    if (!frame.src) frame.src = `${origin}/?embed=1${hash}`;
    frame.hidden = !frame.hidden;
    button.setAttribute('aria-expanded', String(!frame.hidden));
    button.textContent = frame.hidden ? 'Chat with support' : 'Close chat';
  });
  document.body.append(button, frame);
})();
