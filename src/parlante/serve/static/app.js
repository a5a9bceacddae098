// Parlante web page: upload a portrait, then drive it live with an audio file or the
// microphone over the WebSocket protocol documented at /docs; no build step, no CDN.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    stage: $("stage"),
    stageHint: $("stage-hint"),
    frameCount: $("frame-count"),
    shownCount: $("shown-count"),
    latency: $("latency"),
    status: $("status"),
    error: $("error"),
    portraitFile: $("portrait-file"),
    portraitStatus: $("portrait-status"),
    avatarPick: $("avatar-pick"),
    avatarPickLabel: $("avatar-pick-label"),
    audioFile: $("audio-file"),
    playFile: $("play-file"),
    mic: $("mic"),
    stop: $("stop"),
    emotion: $("emotion"),
    strength: $("emotion-strength"),
    strengthOut: $("strength-out"),
    scale: $("motion-scale"),
    scaleOut: $("scale-out"),
    jobBox: $("job-box"),
    jobProgress: $("job-progress"),
    jobStatus: $("job-status"),
    jobLink: $("job-link"),
  };
  const draw = ui.stage.getContext("2d");

  const HEADER_BYTES = 16; // "PLF1", uint32 index, float64 pts (little-endian), then JPEG
  const FILE_RATE = 16000; // files are sent as 16 kHz mono 16-bit PCM
  const CHUNK_SECONDS = 0.04; // 40 ms per WebSocket message
  const PLAY_DELAY = 0.6; // a file plays this long after its audio starts leaving

  let avatar = null;
  let audioCtx = null;
  let live = null; // the running stream, see startStream()

  // ---- messages for people ------------------------------------------------------------

  function showError(message) {
    ui.error.textContent = message;
    ui.error.hidden = false;
  }

  function clearError() {
    ui.error.hidden = true;
    ui.error.textContent = "";
  }

  function setStatus(text) {
    ui.status.textContent = text;
    document.body.dataset.state = text;
  }

  const UNREACHABLE = "Cannot reach the Parlante server. Is it still running?";

  async function api(path, options) {
    let response;
    try {
      response = await fetch(path, options);
    } catch (err) {
      throw new Error(UNREACHABLE);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (!response.ok) {
      const why = body && body.error ? body.error : `The server said no (${response.status}).`;
      throw new Error(why);
    }
    return body;
  }

  // ---- portrait -------------------------------------------------------------------------

  async function showPortrait(info) {
    avatar = info;
    ui.stage.width = info.size;
    ui.stage.height = info.size;
    try {
      const response = await fetch(info.image_url);
      const bitmap = await createImageBitmap(await response.blob());
      draw.drawImage(bitmap, 0, 0, info.size, info.size);
      bitmap.close();
    } catch (err) {
      /* the preview is a nicety: the stream will draw the face anyway */
    }
    ui.stageHint.textContent = "Now choose a voice: an audio file or the microphone.";
    ui.mic.disabled = false;
    ui.playFile.disabled = !ui.audioFile.files.length;
  }

  ui.portraitFile.addEventListener("change", async () => {
    const file = ui.portraitFile.files[0];
    if (!file) return;
    clearError();
    stopStream();
    ui.portraitStatus.textContent = "Looking at the face… (a second or two)";
    setStatus("analysing");
    const form = new FormData();
    form.append("image", file, file.name);
    try {
      const info = await api("/avatars", { method: "POST", body: form });
      ui.portraitStatus.textContent = "Portrait ready.";
      await showPortrait(info);
      setStatus("ready");
      loadAvatarList();
    } catch (err) {
      ui.portraitStatus.textContent = "";
      setStatus("idle");
      showError(`This portrait cannot be used: ${err.message}`);
    }
  });

  async function loadAvatarList() {
    try {
      const { avatars } = await api("/avatars");
      ui.avatarPick.replaceChildren(new Option("—", ""));
      for (const a of avatars) ui.avatarPick.add(new Option(a.name, a.id));
      ui.avatarPickLabel.hidden = avatars.length === 0;
      if (avatar) ui.avatarPick.value = avatar.id;
      ui.avatarPick._avatars = avatars;
    } catch (err) {
      ui.avatarPickLabel.hidden = true;
    }
  }

  ui.avatarPick.addEventListener("change", async () => {
    const chosen = (ui.avatarPick._avatars || []).find((a) => a.id === ui.avatarPick.value);
    if (!chosen) return;
    clearError();
    stopStream();
    await showPortrait(chosen);
    setStatus("ready");
  });

  // ---- audio ----------------------------------------------------------------------------

  async function audioContext() {
    if (!audioCtx) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) throw new Error("This browser cannot play or capture audio (no Web Audio).");
      audioCtx = new Context();
    }
    if (audioCtx.state !== "running") {
      try {
        await audioCtx.resume();
      } catch (err) {
        /* a clock fallback is used below */
      }
    }
    return audioCtx;
  }

  /** Seconds, from the audio hardware clock when it runs (so frames follow the sound). */
  function makeClock(ctx) {
    if (ctx.state === "running") return () => ctx.currentTime;
    const start = performance.now();
    return () => (performance.now() - start) / 1000;
  }

  function toInt16(floats) {
    const out = new Int16Array(floats.length);
    for (let i = 0; i < floats.length; i++) {
      const x = Math.max(-1, Math.min(1, floats[i]));
      out[i] = x < 0 ? x * 32768 : x * 32767;
    }
    return out;
  }

  async function decodeFile(ctx, file) {
    const bytes = await file.arrayBuffer();
    let decoded;
    try {
      decoded = await ctx.decodeAudioData(bytes);
    } catch (err) {
      throw new Error(
        `“${file.name}” is not an audio file this browser can read. Try WAV, MP3 or M4A.`
      );
    }
    if (decoded.duration < 0.1) throw new Error(`“${file.name}” is too short.`);
    const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * FILE_RATE), FILE_RATE);
    const source = offline.createBufferSource();
    source.buffer = decoded;
    source.connect(offline.destination);
    source.start();
    const mono = await offline.startRendering();
    return { decoded, pcm: toInt16(mono.getChannelData(0)) };
  }

  // ---- live stream ----------------------------------------------------------------------

  function controls() {
    return {
      emotion: ui.emotion.value,
      emotion_strength: Number(ui.strength.value),
      motion_scale: Number(ui.scale.value),
    };
  }

  /**
   * Open the WebSocket, send the config, resolve once the server is ready.
   * mode "file": frames are shown when the audio clock reaches their pts.
   * mode "mic": frames are shown as soon as they arrive.
   */
  function startStream(mode, sampleRate, clock) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/avatars/${avatar.id}/stream`);
    ws.binaryType = "arraybuffer";
    const run = {
      ws, mode, clock, sampleRate,
      frames: [], received: 0, shown: 0, done: false, failed: false,
      sendStart: null, playStart: null, cleanup: [], raf: 0,
    };
    live = run;
    ui.frameCount.textContent = "0";
    ui.shownCount.textContent = "0";
    ui.latency.textContent = "–";

    const ready = new Promise((resolve, reject) => {
      ws.addEventListener("open", () => {
        ws.send(JSON.stringify({ sample_rate: sampleRate, format: "s16le", ...controls() }));
      });
      ws.addEventListener("message", (event) => {
        if (typeof event.data === "string") {
          const msg = JSON.parse(event.data);
          if (msg.type === "ready") {
            run.info = msg;
            resolve(run);
          } else if (msg.type === "error") {
            run.failed = true;
            showError(msg.error);
            reject(new Error(msg.error));
          } else if (msg.type === "done") {
            run.done = true;
          }
          return;
        }
        onFrame(run, event.data);
      });
      ws.addEventListener("error", () => reject(new Error(UNREACHABLE)));
      ws.addEventListener("close", (event) => {
        if (!run.done && !run.failed && live === run && event.code !== 1000) {
          run.failed = true;
          showError(event.reason || "The live connection to the server was lost.");
        }
        reject(new Error("closed"));
        if (live === run && (run.failed || run.mode === "mic")) finishStream(run);
      });
    });
    run.raf = requestAnimationFrame(() => paint(run));
    return ready;
  }

  function onFrame(run, buffer) {
    const view = new DataView(buffer);
    const magic = String.fromCharCode(
      view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3)
    );
    if (magic !== "PLF1") return;
    const index = view.getUint32(4, true);
    const pts = view.getFloat64(8, true);
    const arrived = run.clock();
    run.received += 1;
    ui.frameCount.textContent = String(run.received);
    if (run.sendStart !== null) {
      ui.latency.textContent = `${Math.round((arrived - run.sendStart - pts) * 1000)} ms`;
    }
    const blob = new Blob([new Uint8Array(buffer, HEADER_BYTES)], { type: "image/jpeg" });
    createImageBitmap(blob).then((bitmap) => {
      if (live !== run) return bitmap.close();
      run.frames.push({ index, pts, bitmap });
      run.frames.sort((a, b) => a.index - b.index);
    });
  }

  /** Draw the newest frame that is due (file: by the audio clock; mic: as it arrives). */
  function paint(run) {
    if (live !== run) return;
    let due = run.frames.length;
    if (run.mode === "file") {
      const t = run.playStart === null ? -1 : run.clock() - run.playStart;
      due = 0;
      while (due < run.frames.length && run.frames[due].pts <= t) due += 1;
    }
    if (due > 0) {
      const frame = run.frames[due - 1];
      draw.drawImage(frame.bitmap, 0, 0, ui.stage.width, ui.stage.height);
      for (const old of run.frames.splice(0, due)) old.bitmap.close();
      run.shown += 1;
      ui.shownCount.textContent = String(run.shown);
    }
    const over = run.mode === "file" && run.done && run.frames.length === 0 &&
      run.clock() > run.playStart + run.duration;
    if (over) {
      finishStream(run);
      setStatus("finished");
      return;
    }
    run.raf = requestAnimationFrame(() => paint(run));
  }

  function finishStream(run) {
    cancelAnimationFrame(run.raf);
    for (const undo of run.cleanup) {
      try {
        undo();
      } catch (err) {
        /* already stopped */
      }
    }
    run.cleanup = [];
    for (const f of run.frames) f.bitmap.close();
    run.frames = [];
    if (live === run) {
      live = null;
      ui.stop.disabled = true;
      ui.mic.disabled = !avatar;
      ui.playFile.disabled = !avatar || !ui.audioFile.files.length;
      if (!run.failed && run.mode === "mic") setStatus("ready");
      if (run.failed) setStatus("error");
    }
  }

  function stopStream() {
    if (!live) return;
    const run = live;
    if (run.ws.readyState === WebSocket.OPEN) {
      if (run.mode === "mic") run.ws.send(JSON.stringify({ type: "end" }));
      else run.ws.close(1000);
    }
    finishStream(run);
    setStatus("stopped");
  }

  function sendControls() {
    ui.strengthOut.textContent = Number(ui.strength.value).toFixed(2);
    ui.scaleOut.textContent = Number(ui.scale.value).toFixed(1);
    if (live && live.ws.readyState === WebSocket.OPEN) {
      live.ws.send(JSON.stringify({ type: "controls", ...controls() }));
    }
  }
  ui.emotion.addEventListener("change", sendControls);
  ui.strength.addEventListener("input", sendControls);
  ui.scale.addEventListener("input", sendControls);

  // ---- file mode --------------------------------------------------------------------------

  ui.audioFile.addEventListener("change", () => {
    ui.playFile.disabled = !avatar || !ui.audioFile.files.length || live !== null;
  });

  ui.playFile.addEventListener("click", async () => {
    const file = ui.audioFile.files[0];
    if (!file || !avatar) return;
    clearError();
    stopStream();
    ui.playFile.disabled = true;
    ui.mic.disabled = true;
    setStatus("loading");
    let ctx, pcm, decoded;
    try {
      ctx = await audioContext();
      ({ decoded, pcm } = await decodeFile(ctx, file));
    } catch (err) {
      showError(err.message);
      setStatus("error");
      ui.playFile.disabled = false;
      ui.mic.disabled = false;
      return;
    }
    startJob(file);
    const clock = makeClock(ctx);
    let run;
    try {
      run = await startStream("file", FILE_RATE, clock);
    } catch (err) {
      if (live) finishStream(live);
      if (ui.error.hidden) showError(err.message);
      return;
    }
    ui.stop.disabled = false;
    setStatus("playing");
    ui.stageHint.textContent = `Playing “${file.name}”: the face follows the sound.`;
    run.duration = decoded.duration;
    run.sendStart = clock();
    run.playStart = run.sendStart + PLAY_DELAY;
    if (ctx.state === "running") {
      const source = ctx.createBufferSource();
      source.buffer = decoded;
      source.connect(ctx.destination);
      source.start(run.playStart);
      run.cleanup.push(() => source.stop());
    }
    const step = Math.round(CHUNK_SECONDS * FILE_RATE);
    let sent = 0;
    const pump = () => {
      if (run.ws.readyState !== WebSocket.OPEN) return;
      const due = (clock() - run.sendStart + CHUNK_SECONDS) * FILE_RATE;
      while (sent < pcm.length && sent < due) {
        run.ws.send(pcm.subarray(sent, Math.min(sent + step, pcm.length)));
        sent += step;
      }
      if (sent >= pcm.length) {
        clearInterval(timer);
        run.ws.send(JSON.stringify({ type: "end" }));
      }
    };
    const timer = setInterval(pump, 10);
    run.cleanup.push(() => clearInterval(timer));
    pump();
  });

  // ---- microphone mode ----------------------------------------------------------------------

  ui.mic.addEventListener("click", async () => {
    if (!avatar) return;
    clearError();
    stopStream();
    if (!window.isSecureContext || !navigator.mediaDevices) {
      showError(
        "The microphone only works on a secure page: open Parlante at http://localhost " +
          "on this computer, or through https."
      );
      return;
    }
    ui.mic.disabled = true;
    ui.playFile.disabled = true;
    let ctx, media;
    try {
      ctx = await audioContext();
      media = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
      });
    } catch (err) {
      const blocked = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      showError(
        blocked
          ? "The microphone is blocked. Allow it for this page in the browser, then try again."
          : "No microphone was found, or it is in use by another program."
      );
      ui.mic.disabled = false;
      ui.playFile.disabled = !ui.audioFile.files.length;
      return;
    }
    const clock = makeClock(ctx);
    let run;
    try {
      run = await startStream("mic", ctx.sampleRate, clock);
    } catch (err) {
      media.getTracks().forEach((t) => t.stop());
      if (live) finishStream(live);
      if (ui.error.hidden) showError(err.message);
      return;
    }
    ui.stop.disabled = false;
    setStatus("listening");
    ui.stageHint.textContent = "Listening: speak, and the face speaks with you.";
    const source = ctx.createMediaStreamSource(media);
    const silent = ctx.createGain();
    silent.gain.value = 0; // keeps the capture node running without playing the voice back
    silent.connect(ctx.destination);
    const send = (floats) => {
      if (run.ws.readyState !== WebSocket.OPEN) return;
      if (run.sendStart === null) run.sendStart = clock();
      run.ws.send(toInt16(floats));
    };
    let node;
    if (ctx.audioWorklet) {
      await ctx.audioWorklet.addModule("/static/pcm-worklet.js");
      node = new AudioWorkletNode(ctx, "pcm-capture");
      node.port.onmessage = (event) => send(event.data);
    } else {
      node = ctx.createScriptProcessor(1024, 1, 1);
      node.onaudioprocess = (event) => send(event.inputBuffer.getChannelData(0).slice(0));
    }
    source.connect(node);
    node.connect(silent);
    run.cleanup.push(() => {
      source.disconnect();
      node.disconnect();
      silent.disconnect();
      media.getTracks().forEach((t) => t.stop());
    });
  });

  ui.stop.addEventListener("click", stopStream);

  // ---- video file (jobs API) ---------------------------------------------------------------

  async function startJob(file) {
    ui.jobBox.hidden = false;
    ui.jobLink.hidden = true;
    ui.jobProgress.value = 0;
    ui.jobStatus.textContent = "Making the video file…";
    const form = new FormData();
    form.append("audio", file, file.name);
    const c = controls();
    for (const key of Object.keys(c)) form.append(key, String(c[key]));
    let job;
    try {
      job = await api(`/avatars/${avatar.id}/jobs`, { method: "POST", body: form });
    } catch (err) {
      ui.jobStatus.textContent = `No video file: ${err.message}`;
      return;
    }
    while (job.status === "queued" || job.status === "running") {
      await new Promise((r) => setTimeout(r, 700));
      try {
        job = await api(`/jobs/${job.id}`);
      } catch (err) {
        ui.jobStatus.textContent = `No video file: ${err.message}`;
        return;
      }
      ui.jobProgress.value = job.progress;
      ui.jobStatus.textContent =
        job.status === "queued" ? "Waiting for its turn…" : `Rendering… ${Math.round(job.progress * 100)}%`;
    }
    if (job.status === "done") {
      ui.jobProgress.value = 1;
      ui.jobStatus.textContent = `Ready: ${job.frames} frames, ${job.seconds.toFixed(1)} s.`;
      ui.jobLink.href = job.video_url;
      ui.jobLink.hidden = false;
    } else {
      ui.jobStatus.textContent = `No video file: ${job.error || job.status}`;
    }
  }

  setStatus("idle");
  loadAvatarList();
})();
