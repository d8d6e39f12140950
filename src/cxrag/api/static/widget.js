/*! cxrag assistant widget. One tag adds it to any page:
 *   <script src="https://ASSISTANT/widget.js" defer data-key="WIDGET_KEY"></script>
 * Options (data-*): lang (es|en; default: the page's, then the browser's), title, greeting,
 * color, position (right|left), article-url (e.g. /help/{id}: where a cited document opens),
 * customer-id + customer-token (a signed-in customer, signed by the host page), api (default:
 * where this script came from). Text from the model or the documents is only ever set as text.
 */
(() => {
  "use strict";
  const TAG = "cxrag-assistant";
  if (customElements.get(TAG)) return;
  const SCRIPT = document.currentScript;
  const SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;

  const TEXT = {
    es: {
      title: "Asistente", open: "Chatear con el asistente", close: "Cerrar el asistente",
      greeting: "¡Hola! Soy el asistente del centro de ayuda. ¿En qué te puedo ayudar?",
      label: "Tu pregunta", placeholder: "Escribe tu pregunta…", send: "Enviar",
      log: "Conversación con el asistente", you: "Tú", bot: "Asistente", person: "Equipo",
      human: "Hablar con una persona", humanDone: "Persona avisada", sources: "Fuentes",
      rate: "¿Te ha sido útil esta respuesta?", up: "Sí, me ha sido útil", down: "No me ha sido útil",
      comment: "¿Quieres contarnos algo más? (opcional)", commentSend: "Enviar comentario",
      thanks: "¡Gracias por tu opinión!", typing: "El asistente está escribiendo…",
      error: "No he podido enviar tu mensaje. Inténtalo de nuevo en un momento.",
      slow: "Estamos atendiendo muchas consultas. Vuelve a intentarlo en unos segundos.",
      busy: "Avisando al equipo…",
      next: "Te pasamos con una persona del equipo. Ya tiene el resumen de esta conversación, así que no tendrás que repetir nada, y la retomará aquí en cuanto pueda. Mientras tanto puedes seguir escribiéndome. Tu referencia: ",
    },
    en: {
      title: "Assistant", open: "Chat with the assistant", close: "Close the assistant",
      greeting: "Hi! I'm the help centre's assistant. How can I help you?",
      label: "Your question", placeholder: "Type your question…", send: "Send",
      log: "Conversation with the assistant", you: "You", bot: "Assistant", person: "Team",
      human: "Talk to a person", humanDone: "Person requested", sources: "Sources",
      rate: "Was this answer helpful?", up: "Yes, this was helpful", down: "This was not helpful",
      comment: "Anything else you'd like to tell us? (optional)", commentSend: "Send comment",
      thanks: "Thanks for your feedback!", typing: "The assistant is typing…",
      error: "I couldn't send your message. Please try again in a moment.",
      slow: "We're answering a lot of questions right now. Please try again in a few seconds.",
      busy: "Letting the team know…",
      next: "We're passing you to a person on our team. They already have a summary of this conversation, so you won't need to repeat anything, and they'll pick it up here as soon as they can. Meanwhile you can keep writing to me. Your reference: ",
    },
  };

  const STYLE = `
:host{all:initial;position:fixed;bottom:20px;right:20px;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c1c1c;--cx-accent:#1f5fbf}
:host([data-position=left]){right:auto;left:20px}
*{box-sizing:border-box}
[hidden]{display:none!important}
button,textarea{font:inherit;color:inherit}
:focus-visible{outline:3px solid var(--cx-accent);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{width:58px;height:58px;border-radius:50%;border:0;background:var(--cx-accent);color:#fff;cursor:pointer;box-shadow:0 4px 14px #0004;display:grid;place-items:center}
.launcher svg{width:28px;height:28px}
.panel{position:absolute;bottom:72px;right:0;width:min(390px,calc(100vw - 40px));height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 10px 40px #0004;overflow:hidden}
:host([data-position=left]) .panel{right:auto;left:0}
header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:var(--cx-accent);color:#fff}
header h2{flex:1;margin:0;font-size:16px}
header button{background:#fff2;border:1px solid #fff8;border-radius:8px;color:#fff;padding:5px 9px;cursor:pointer;font-size:13px}
header button[aria-disabled=true]{opacity:.75;cursor:default}
header .x{font-size:20px;line-height:1;padding:2px 9px}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;background:#f6f7f9}
.msg{max-width:88%;padding:9px 12px;border-radius:12px;background:#fff;border:1px solid #e3e5e8;overflow-wrap:anywhere}
.msg.user{align-self:flex-end;background:var(--cx-accent);color:#fff;border:0}
.msg.system{align-self:center;background:#fff8e1;border-color:#f0d98c;font-size:14px}
.who{display:block;font-size:12px;font-weight:600;opacity:.75;margin-bottom:2px}
.text{margin:0;white-space:pre-wrap}
.mark{font-size:11px;vertical-align:super;opacity:.7}
.sources{margin-top:8px;font-size:13px}
.sources h3{font-size:12px;margin:0 0 2px;text-transform:uppercase;letter-spacing:.04em;opacity:.7}
.sources ul{margin:0;padding:0;list-style:none}
.sources a{color:var(--cx-accent)}
.rate{display:flex;align-items:center;gap:6px;margin-top:8px;font-size:13px}
.rate button{border:1px solid #ccd;background:#fff;border-radius:8px;padding:3px 8px;cursor:pointer;display:grid;place-items:center}
.rate svg{width:16px;height:16px}
.rate button[aria-pressed=true]{background:var(--cx-accent);color:#fff;border-color:var(--cx-accent)}
.comment{display:flex;flex-direction:column;gap:4px;margin-top:6px;font-size:13px}
.comment textarea{min-height:48px;border:1px solid #ccd;border-radius:8px;padding:6px}
.comment button{align-self:flex-end;border:0;border-radius:8px;padding:4px 10px;background:var(--cx-accent);color:#fff;cursor:pointer}
.dots::after{content:"…";animation:blink 1s steps(2) infinite}
@keyframes blink{50%{opacity:.2}}
form.composer{display:flex;gap:8px;padding:10px;border-top:1px solid #e3e5e8;background:#fff}
form.composer textarea{flex:1;resize:none;border:1px solid #ccd;border-radius:10px;padding:8px 10px;max-height:120px}
form.composer button{border:0;border-radius:10px;padding:0 14px;background:var(--cx-accent);color:#fff;cursor:pointer}
form.composer button:disabled{opacity:.5;cursor:default}
@media (max-width:480px){
:host{bottom:12px;right:12px}
:host([data-position=left]){left:12px}
.panel{position:fixed;inset:0;width:100%;height:100%;border-radius:0}
.panel:not([hidden])+.launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.dots::after{animation:none}}`;

  const ICON = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
  };

  /** An element with attributes and children (strings become text nodes: never HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v == null) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    el.append(...children.filter((c) => c != null));
    return el;
  }

  function icon(d) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  /** localStorage that never throws (storage may be off). */
  const store = {
    get(k) { try { return localStorage.getItem(k); } catch { return null; } },
    set(k, v) { try { v == null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch { /* off */ } },
  };

  /** An http(s) URL for a link, or null: nothing else (javascript:, data:...) becomes a link. */
  function safeUrl(value) {
    try {
      const url = new URL(value, location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch { return null; }
  }

  function pickLanguage(...candidates) {
    for (const c of candidates) {
      const two = String(c || "").slice(0, 2).toLowerCase();
      if (two === "es" || two === "en") return two;
    }
    return "en";
  }

  /** Server-sent events from a fetch response: {event, data}. */
  async function* events(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (data) yield { event, data: JSON.parse(data) };
      }
    }
  }

  class Assistant extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const d = this.dataset;
      const pageLang = document.documentElement.lang;
      this.language = pickLanguage(d.lang, pageLang, ...(navigator.languages || [navigator.language]));
      this.locale = (pageLang || "").toLowerCase().startsWith(this.language) ? pageLang : this.language;
      this.t = TEXT[this.language];
      this.api = (d.api || SCRIPT_ORIGIN).replace(/\/+$/, "");
      this.key = d.key || "";
      this.customer = d.customerId ? { id: d.customerId, token: d.customerToken || "" } : null;
      if (!this.customer) {
        this.visitor = store.get("cxrag:visitor");
        if (!this.visitor || !/^v-[0-9a-f]{32}$/.test(this.visitor)) {
          const bytes = crypto.getRandomValues(new Uint8Array(16));
          this.visitor = "v-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
          store.set("cxrag:visitor", this.visitor);
        }
      }
      this.convKey = `cxrag:conversation:${this.key}:${this.customer ? "c:" + this.customer.id : this.visitor}`;
      this.conversation = store.get(this.convKey);
      if (d.color && CSS.supports("color", d.color)) this.style.setProperty("--cx-accent", d.color);
      this.build();
      let open = null;
      try { open = sessionStorage.getItem("cxrag:open"); } catch { /* off */ }
      if (open === "1") this.open(false);
    }

    build() {
      const t = this.t;
      const root = this.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets && typeof CSSStyleSheet.prototype.replaceSync === "function") {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(h("style", {}, STYLE));
      }
      this.launcher = h("button", { class: "launcher", type: "button", "aria-expanded": "false",
        "aria-controls": "cx-panel", "aria-label": t.open, onclick: () => this.toggle() }, icon(ICON.chat));
      this.humanButton = h("button", { type: "button", class: "human", onclick: () => this.handOff() }, t.human);
      this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.log, tabindex: "0" });
      this.status = h("p", { class: "sr", role: "status" });
      this.input = h("textarea", { id: "cx-input", rows: "1", placeholder: t.placeholder,
        maxlength: "4000", onkeydown: (e) => this.onKey(e) });
      this.sendButton = h("button", { type: "submit" }, t.send);
      this.panel = h("section", { id: "cx-panel", class: "panel", role: "dialog", "aria-modal": "false",
        "aria-labelledby": "cx-title", hidden: true, onkeydown: (e) => { if (e.key === "Escape") this.close(); } },
        h("header", {}, h("h2", { id: "cx-title" }, this.dataset.title || t.title), this.humanButton,
          h("button", { type: "button", class: "x", "aria-label": t.close, onclick: () => this.close() }, "×")),
        this.log, this.status,
        h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
          h("label", { for: "cx-input", class: "sr" }, t.label), this.input, this.sendButton));
      root.append(this.panel, this.launcher);
      this.bubble("assistant", this.dataset.greeting || t.greeting);
    }

    /** Open the panel (and show the conversation so far, the first time). */
    open(focus = true) {
      this.panel.hidden = false;
      this.launcher.setAttribute("aria-expanded", "true");
      try { sessionStorage.setItem("cxrag:open", "1"); } catch { /* off */ }
      if (focus) this.input.focus();
      if (!this.restoring) this.restoring = this.restore();
    }

    close() {
      this.panel.hidden = true;
      this.launcher.setAttribute("aria-expanded", "false");
      try { sessionStorage.removeItem("cxrag:open"); } catch { /* off */ }
      this.launcher.focus();
    }

    toggle() { this.panel.hidden ? this.open() : this.close(); }

    onKey(e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
    }

    headers() {
      const out = { "Content-Type": "application/json", "X-API-Key": this.key };
      if (this.customer) Object.assign(out, { "X-Customer-Id": this.customer.id, "X-Customer-Token": this.customer.token });
      else out["X-Visitor-Id"] = this.visitor;
      return out;
    }

    who() {
      return this.customer ? { customer_id: this.customer.id, customer_token: this.customer.token }
        : { visitor_id: this.visitor };
    }

    remember(conversationId) {
      this.conversation = conversationId;
      store.set(this.convKey, conversationId);
    }

    async call(method, path, body) {
      const response = await fetch(this.api + path, { method, headers: this.headers(),
        body: body ? JSON.stringify(body) : undefined });
      if (!response.ok) throw Object.assign(new Error(String(response.status)), { status: response.status });
      return response.json();
    }

    /** The conversation kept from an earlier page: shown again, or forgotten if it is gone. */
    async restore() {
      if (!this.conversation) return;
      try {
        const conv = await this.call("GET", `/v1/conversations/${encodeURIComponent(this.conversation)}`);
        const id = conv.conversation_id;
        for (const m of conv.messages) {
          if (m.role === "user") this.bubble("user", m.text);
          else if (m.role === "system" && m.handoff) this.handedOff(id);
          else if (m.role === "assistant") this.answer(this.bubble("assistant", ""), m, { conversation: id, message: m.id });
          else if (m.role === "agent") this.bubble("agent", m.text);
        }
        if (conv.status === "handoff") this.markHandedOff();
      } catch (err) {
        if (err.status === 403 || err.status === 404) this.remember(null);
      }
    }

    /** A message bubble; its text is set as text. */
    bubble(role, text) {
      const t = this.t;
      const name = { user: t.you, assistant: t.bot, agent: t.person, system: t.person }[role];
      const body = h("p", { class: "text" }, text);
      const el = h("div", { class: `msg ${role}` }, h("span", { class: "who" }, name), body);
      el.body = body;
      this.log.append(el);
      this.log.scrollTop = this.log.scrollHeight;
      return el;
    }

    async send() {
      const message = this.input.value.trim();
      if (!message || this.busy) return;
      this.busy = true;
      this.sendButton.disabled = true;
      this.input.value = "";
      await this.restoring;  // the earlier turns first, then this one
      this.bubble("user", message);
      const el = this.bubble("assistant", "");
      el.setAttribute("aria-busy", "true");
      el.body.classList.add("dots");
      this.status.textContent = this.t.typing;
      try {
        await this.stream(el, message, true);
      } catch (err) {
        el.body.classList.remove("dots");
        el.body.textContent = err && (err.status === 429 || err.status === 503) ? this.t.slow
          : this.t.error;
      } finally {
        el.removeAttribute("aria-busy");
        this.status.textContent = "";
        this.busy = false;
        this.sendButton.disabled = false;
      }
    }

    async stream(el, message, retry) {
      const response = await fetch(this.api + "/v1/chat", { method: "POST", headers: this.headers(),
        body: JSON.stringify({ message, ...this.who(), conversation_id: this.conversation || undefined,
          channel: "web", locale: this.locale, stream: true }) });
      if ((response.status === 403 || response.status === 404) && this.conversation && retry) {
        this.remember(null);  // that conversation is gone or not ours: start a new one
        return this.stream(el, message, false);
      }
      if (!response.ok || !response.body) {
        throw Object.assign(new Error(String(response.status)), { status: response.status });
      }
      let text = "";
      for await (const { event, data } of events(response)) {
        if (event === "token") {
          if (!text) el.body.classList.remove("dots");
          text += (text ? " " : "") + data.text;  // checked sentences, one per event
          el.body.textContent = text;
          this.log.scrollTop = this.log.scrollHeight;
        } else if (event === "reply") {
          el.body.classList.remove("dots");
          this.remember(data.conversation_id);
          this.answer(el, data, { conversation: data.conversation_id, message: data.message_id });
        } else if (event === "error") {
          throw Object.assign(new Error("stream"), { status: data.status });
        }
      }
    }

    /** The checked answer: its text (citation marks as marks), sources as links, rating. */
    answer(el, reply, target) {
      const cited = reply.citations || [];
      const numbers = new Set(cited.map((c) => c.number).filter((n) => n != null));
      el.body.textContent = "";
      const parts = String(reply.answer ?? reply.text ?? "").split(/\s?\[(\d+)\]/);
      parts.forEach((part, i) => {
        if (i % 2 === 0) el.body.append(part);
        else if (numbers.has(Number(part))) el.body.append(h("span", { class: "mark" }, `[${part}]`));
      });
      if (cited.length) {
        el.append(h("div", { class: "sources" }, h("h3", {}, this.t.sources),
          h("ul", {}, ...cited.map((c) => this.source(c)))));
      }
      if (target.message) el.append(this.rating(target));
      this.log.scrollTop = this.log.scrollHeight;
    }

    source(c) {
      const label = (c.number != null ? `[${c.number}] ` : "") + (c.title || c.document_id);
      let href = /^https?:\/\//i.test(c.source || "") ? safeUrl(c.source) : null;
      const template = this.dataset.articleUrl;
      if (!href && template && c.document_id) {
        const id = String(c.document_id).split("/").map(encodeURIComponent).join("/");
        href = safeUrl(template.replace("{id}", id));
      }
      return h("li", {}, href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label) : label);
    }

    /** Thumbs up and down on one reply ({conversation, message}). */
    rating(target) {
      const t = this.t;
      const group = h("div", { class: "rate", role: "group", "aria-label": t.rate });
      const buttons = ["up", "down"].map((value) => h("button", { type: "button", "aria-pressed": "false",
        "aria-label": t[value], title: t[value], onclick: () => this.rate(group, buttons, target, value) },
        icon(ICON[value])));
      group.append(h("span", { "aria-hidden": "true" }, t.rate), ...buttons);
      return group;
    }

    async rate(group, buttons, target, value, comment) {
      const path = `/v1/conversations/${encodeURIComponent(target.conversation)}/messages/${target.message}/feedback`;
      try {
        await this.call("PUT", path, { rating: value, comment: comment || undefined });
      } catch {
        this.status.textContent = this.t.error;
        return;
      }
      buttons.forEach((b, i) => b.setAttribute("aria-pressed", String((i === 0) === (value === "up"))));
      this.status.textContent = this.t.thanks;
      if (comment !== undefined) {  // the form goes: focus goes back to the message box
        group.nextElementSibling?.replaceWith(h("p", { class: "comment" }, this.t.thanks));
        this.input.focus();
      } else if (!group.nextElementSibling) {
        group.after(this.commentForm(group, buttons, target));
      }
    }

    commentForm(group, buttons, target) {
      const id = `cx-comment-${target.message}`;
      const box = h("textarea", { id, maxlength: "2000" });
      return h("form", { class: "comment", onsubmit: (e) => {
        e.preventDefault();
        const pressed = buttons[0].getAttribute("aria-pressed") === "true" ? "up" : "down";
        if (box.value.trim()) this.rate(group, buttons, target, pressed, box.value.trim());
      } }, h("label", { for: id }, this.t.comment), box, h("button", { type: "submit" }, this.t.commentSend));
    }

    /** "Talk to a person": hands the conversation over, then says what happens next. */
    async handOff() {
      if (this.humanButton.getAttribute("aria-disabled") === "true") return;
      this.status.textContent = this.t.busy;
      try {
        const result = await this.call("POST", "/v1/handoffs", { conversation_id: this.conversation || undefined,
          channel: "web", locale: this.locale });
        this.remember(result.conversation_id);
        this.handedOff(result.conversation_id);
        this.markHandedOff();
      } catch {
        this.status.textContent = this.t.error;
      }
    }

    handedOff(conversationId) {
      this.bubble("system", this.t.next + String(conversationId).slice(0, 8).toUpperCase());
    }

    markHandedOff() {
      this.humanButton.textContent = this.t.humanDone;
      this.humanButton.setAttribute("aria-disabled", "true");
    }
  }

  customElements.define(TAG, Assistant);
  if (SCRIPT && SCRIPT.dataset.key && !document.querySelector(TAG)) {
    const add = () => {
      const el = document.createElement(TAG);
      for (const [k, v] of Object.entries(SCRIPT.dataset)) el.dataset[k] = v;
      document.body.append(el);
    };
    document.body ? add() : document.addEventListener("DOMContentLoaded", add);
  }
})();
