// Captions of the browser microphone through the WebSocket API (protocol: docs/api.md).
// The microphone is captured at the audio context's own rate, converted to 16-bit PCM, and
// sent with that rate; the server resamples to 16 kHz.
"use strict";

const toggle = document.getElementById("toggle");
const statusLine = document.getElementById("status");
const tokenInput = document.getElementById("token");
const captions = document.getElementById("captions");

const session = { socket: null, context: null, media: null, node: null };
let finalSpan = null;
let partialSpan = null;

tokenInput.value = new URLSearchParams(location.search).get("token") || "";
newLine();

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
}

function newLine() {
  const line = document.createElement("p");
  finalSpan = document.createElement("span");
  finalSpan.className = "final";
  partialSpan = document.createElement("span");
  partialSpan.className = "partial";
  line.append(finalSpan, partialSpan);
  captions.append(line);
  while (captions.children.length > 12) captions.firstElementChild.remove();
}

function onMessage(event) {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case "ready":
      setStatus(`Listening (${message.model}, ${message.sample_rate} Hz).`);
      break;
    case "transcript":
      if (message.is_final) {
        // space_before: the server's rule for spaces (none next to Chinese, Japanese, Thai...).
        finalSpan.textContent += (message.space_before ? " " : "") + message.text;
        partialSpan.textContent = "";
      } else {
        // A partial replaces the previous one, after the final text.
        partialSpan.textContent = (message.space_before ? " " : "") + message.text;
      }
      break;
    case "utterance_end":
      if (finalSpan.textContent) newLine();
      break;
    case "overload":
      setStatus(`The server is ${message.lag_s.toFixed(1)} s behind.`, true);
      break;
    case "stats":
      if (session.socket) setStatus(`Listening; captions ${message.lag_s.toFixed(1)} s behind the audio.`);
      break;
    case "error":
      setStatus(message.message, true);
      break;
  }
}

function toPcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
  }
  return out.buffer;
}

function sendSamples(samples) {
  if (session.socket && session.socket.readyState === WebSocket.OPEN) {
    session.socket.send(toPcm16(samples));
  }
}

async function captureNode(context, source) {
  if (context.audioWorklet) {  // secure contexts (localhost, https)
    await context.audioWorklet.addModule("/static/pcm-worklet.js");
    const node = new AudioWorkletNode(context, "pcm-capture");
    node.port.onmessage = (event) => sendSamples(event.data);
    source.connect(node);
    return node;
  }
  const node = context.createScriptProcessor(4096, 1, 1);  // older browsers, plain http
  node.onaudioprocess = (event) => sendSamples(new Float32Array(event.inputBuffer.getChannelData(0)));
  source.connect(node);
  node.connect(context.destination);  // a script processor runs only when connected
  return node;
}

function socketUrl(rate) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ encoding: "pcm_s16le", sample_rate: String(rate) });
  if (tokenInput.value) query.set("token", tokenInput.value);
  return `${scheme}://${location.host}/ws/transcribe?${query}`;
}

async function start() {
  toggle.disabled = true;
  try {
    session.media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } });
    session.context = new AudioContext();
    const socket = new WebSocket(socketUrl(session.context.sampleRate));
    socket.binaryType = "arraybuffer";
    socket.onmessage = onMessage;
    socket.onclose = (event) => {
      if (event.code !== 1000) setStatus(`Disconnected (${event.code}) ${event.reason}`, true);
      else setStatus("Stopped.");
      stopAudio();
      session.socket = null;
      toggle.textContent = "Start";
      toggle.disabled = false;
    };
    session.socket = socket;
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error("the WebSocket could not connect"));
    });
    const source = session.context.createMediaStreamSource(session.media);
    session.node = await captureNode(session.context, source);
    toggle.textContent = "Stop";
  } catch (error) {
    setStatus(`Cannot start: ${error.message}`, true);
    stopAudio();
    if (session.socket) session.socket.close();
  } finally {
    toggle.disabled = false;
  }
}

function stopAudio() {
  if (session.node) session.node.disconnect();
  if (session.media) session.media.getTracks().forEach((track) => track.stop());
  if (session.context) session.context.close();
  session.node = session.media = session.context = null;
}

function stop() {
  stopAudio();
  if (session.socket && session.socket.readyState === WebSocket.OPEN) {
    toggle.disabled = true;
    setStatus("Finishing the last words...");
    session.socket.send(JSON.stringify({ type: "close" }));  // the server flushes, then closes
  }
}

toggle.addEventListener("click", () => (session.socket ? stop() : start()));
