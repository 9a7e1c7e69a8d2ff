<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_TW">
<context>
    <name>CaptionOverlay</name>
    <message>
        <location filename="../widgets/overlay.py" line="113" />
        <source>Live Captions overlay</source>
        <translation>即時字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/overlay.py" line="137" />
        <source>&amp;Reset overlay position</source>
        <translation>重置浮窗位置(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/overlay.py" line="404" />
        <source>Captions appear here · drag to move · right-click for options</source>
        <translation>字幕顯示在這裡 · 拖動可移動 · 右鍵開啟選項</translation>
    </message>
</context>
<context>
    <name>ColorButton</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="100" />
        <source>Choose a colour</source>
        <translation>選擇顏色</translation>
    </message>
</context>
<context>
    <name>DesktopApp</name>
    <message>
        <location filename="../app.py" line="113" />
        <source>Captioning</source>
        <translation>正在生成字幕</translation>
    </message>
    <message>
        <location filename="../app.py" line="114" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../app.py" line="120" />
        <source>Get a speech model…</source>
        <translation>獲取語音模型…</translation>
    </message>
    <message>
        <location filename="../app.py" line="169" />
        <source>No speech model yet</source>
        <translation>還沒有語音模型</translation>
    </message>
    <message>
        <location filename="../app.py" line="193" />
        <source>No speech model is on this computer yet: captions start once one is downloaded or chosen.</source>
        <translation>這臺計算機上還沒有語音模型：下載或選擇模型後即可開始字幕。</translation>
    </message>
    <message>
        <location filename="../app.py" line="305" />
        <source>The new model is loading; the captions running now keep the old one until you stop and start them again.</source>
        <translation>新模型正在載入；當前的字幕會繼續使用舊模型，直到你停止並重新開始。</translation>
    </message>
    <message>
        <location filename="../app.py" line="318" />
        <source>The new language applies from the next start of the app.</source>
        <translation>新的介面語言將在下次啟動應用時生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="320" />
        <source>The new live-caption settings apply from the next start.</source>
        <translation>新的即時字幕設定將在下次開始時生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="344" />
        <source>Live Captions: {}</source>
        <translation>即時字幕：{}</translation>
    </message>
</context>
<context>
    <name>EmbeddedApi</name>
    <message>
        <location filename="../api_server.py" line="67" />
        <source>The local API is not part of this installation ({}).</source>
        <translation>此安裝不包含本地 API（{}）。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="70" />
        <source>API unavailable</source>
        <translation>API 不可用</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="83" />
        <source>The local API could not start: {}. Choose another port in Settings.</source>
        <translation>本地 API 無法啟動：{}。請在設定中選擇其他埠。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="87" />
        <source>API off</source>
        <translation>API 已關閉</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="89" />
        <source>API on {}</source>
        <translation>API 運行於 {}</translation>
    </message>
</context>
<context>
    <name>EngineMessages</name>
    <message>
        <location filename="../messages.py" line="21" />
        <source>The hub at {endpoint} cannot be reached (no network, or it is blocked here). Connect and try again, or choose a mirror under “{download_from}” ({mirror} works from mainland China), {otherwise}</source>
        <translation>無法連線到 {endpoint} 上的模型倉庫（沒有網路，或在此處被遮蔽）。請聯網後重試，或在“{download_from}”中選擇映象（{mirror} 在中國大陸可用），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="26" />
        <source>The hub at {endpoint} answered with an error ({status}); it may be down for a while. Try again later, or choose a mirror under “{download_from}” ({mirror} works from mainland China), {otherwise}</source>
        <translation>{endpoint} 上的模型倉庫返回錯誤（{status}），可能暫時無法使用。請稍後重試，或在“{download_from}”中選擇映象（{mirror} 在中國大陸可用），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="31" />
        <source>The model {repo} was not found on {endpoint}. Check its name, {otherwise}</source>
        <translation>在 {endpoint} 上找不到模型 {repo}。請檢查名稱，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="34" />
        <source>The model {repo} needs a Hugging Face login and its licence accepted. Download it once with “hf download {repo}”, {otherwise}</source>
        <translation>模型 {repo} 需要登入 Hugging Face 並接受其許可協議。請先用“hf download {repo}”下載一次，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="38" />
        <source>The model {repo} is not on this computer and downloads are switched off (HF_HUB_OFFLINE is set). Unset it to download, {otherwise}</source>
        <translation>模型 {repo} 不在這臺電腦上，且下載已關閉（設定了 HF_HUB_OFFLINE）。取消該設定即可下載，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="42" />
        <source>The disk is full: the model {repo} cannot be saved in {folder}. Free some space, or set HF_HOME to a folder on a disk with room, and try again.</source>
        <translation>磁碟已滿：無法將模型 {repo} 儲存到 {folder}。請釋放一些空間，或將 HF_HOME 設為空間充足的磁碟上的資料夾，然後重試。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="46" />
        <source>The model {repo} could not be downloaded from {endpoint} ({reason}). Try again (what was downloaded is kept), {otherwise}</source>
        <translation>無法從 {endpoint} 下載模型 {repo}（{reason}）。請重試（已下載的部分會保留），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="50" />
        <source>{repo} is a {what} model, not a CTC speech recogniser. Choose another model, {otherwise}</source>
        <translation>{repo} 是 {what} 模型，不是 CTC 語音識別模型。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="54" />
        <source>The model {repo} is not downloaded yet, and downloads are off. Download it once with a network connection, {otherwise}</source>
        <translation>模型 {repo} 尚未下載，且下載已關閉。請在聯網時下載一次，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="58" />
        <source>The bundled demo model is missing from this installation: install the app again.</source>
        <translation>此安裝中缺少自帶的演示模型：請重新安裝本應用。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="61" />
        <source>The folder {folder} is not a model: it has no config.json. Choose a folder with a CTC speech model (config.json, weights and processor files), {otherwise}</source>
        <translation>資料夾 {folder} 不是模型：其中沒有 config.json。請選擇包含 CTC 語音模型（config.json、權重和處理器檔案）的資料夾，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="65" />
        <source>The model folder {folder} does not exist. Choose another folder, {otherwise}</source>
        <translation>模型資料夾 {folder} 不存在。請選擇其他資料夾，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="68" />
        <source>{folder} is a file, not a model folder. Choose the folder that holds the model, {otherwise}</source>
        <translation>{folder} 是一個檔案，不是模型資料夾。請選擇存放模型的資料夾，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="72" />
        <source>The configuration (config.json) of {repo} cannot be read ({reason}). Choose another model, {otherwise}</source>
        <translation>無法讀取 {repo} 的配置（config.json）（{reason}）。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="76" />
        <source>The tokenizer and feature extractor of {repo} cannot be read ({reason}). Choose another model, {otherwise}</source>
        <translation>無法讀取 {repo} 的分詞器和特徵提取器（{reason}）。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="80" />
        <source>The feature extractor of {repo} needs a package that is not installed ({reason}). Choose another model, {otherwise}</source>
        <translation>{repo} 的特徵提取器需要一個未安裝的軟體包（{reason}）。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="84" />
        <source>{repo} expects audio at {rate} Hz; only models for {supported} Hz audio work here. Choose another model, {otherwise}</source>
        <translation>{repo} 需要 {rate} Hz 的音訊；這裡只能使用 {supported} Hz 音訊的模型。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="88" />
        <source>The frame length of {what} models cannot be computed: this kind of model is not supported yet. Choose another model, {otherwise}</source>
        <translation>無法計算 {what} 模型的幀長：暫不支援這類模型。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="92" />
        <source>The model {repo} cannot be built ({reason}). Choose another model, {otherwise}</source>
        <translation>無法構建模型 {repo}（{reason}）。請選擇其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="95" />
        <source>The weights of {repo} cannot be loaded ({reason}). If it was downloaded, delete it from the cache and download it again, {otherwise}</source>
        <translation>無法載入 {repo} 的權重（{reason}）。如果它是下載的，請從快取中刪除後重新下載，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="99" />
        <source>A GPU (CUDA) was chosen but none can be used here (no NVIDIA GPU or driver, or a PyTorch without CUDA). Choose “CPU” or “Automatic” as the device in Settings.</source>
        <translation>選擇了 GPU（CUDA），但這裡沒有可用的 GPU（沒有 NVIDIA 顯示卡或驅動，或 PyTorch 不支援 CUDA）。請在設定中將裝置改為“CPU”或“自動”。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="103" />
        <source>int8 runs on the CPU only: choose the CPU as the device, or another precision.</source>
        <translation>int8 只能在 CPU 上執行：請將裝置選為 CPU，或選擇其他精度。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="106" />
        <source>ONNX Runtime runs on the CPU in {dtypes}, not {dtype} on {device}: choose PyTorch for that.</source>
        <translation>ONNX Runtime 只能在 CPU 上以 {dtypes} 執行，不支援 {device} 上的 {dtype}：這種情況請選擇 PyTorch。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="112" />
        <source>or use a model folder on this computer, or the demo model.</source>
        <translation>或使用這臺電腦上的模型資料夾，或演示模型。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="115" />
        <source>demo model (understands synthetic voices only)</source>
        <translation>演示模型（只能識別合成語音）</translation>
    </message>
    <message>
        <location filename="../messages.py" line="119" />
        <source>{0} on {1} ({2}, {3})</source>
        <translation>{0}，運行於 {1}（{2}，{3}）</translation>
    </message>
    <message>
        <location filename="../messages.py" line="122" />
        <source>{0} M parameters, about {1}</source>
        <translation>{0} M 引數，約 {1}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="125" />
        <source>error rates: see the model card</source>
        <translation>錯誤率：請參閱模型卡片</translation>
    </message>
    <message>
        <location filename="../messages.py" line="128" />
        <source>CPU cost {0}x the default model's</source>
        <translation>CPU 開銷為預設模型的 {0} 倍</translation>
    </message>
    <message>
        <location filename="../messages.py" line="132" />
        <source>Download from</source>
        <translation>下載來源</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <location filename="../worker.py" line="84" />
        <source>The language model cannot be used ({}); captions run without it.</source>
        <translation>無法使用語言模型（{}）；字幕將在不使用它的情況下執行。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="111" />
        <source>The engine is busy: {}.</source>
        <translation>識別引擎繁忙：{}。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="141" />
        <source>The input device delivered invalid samples (NaN or infinity); they are treated as silence.</source>
        <translation>輸入裝置送來了無效的取樣值（NaN 或無窮大），已按靜音處理。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="170" />
        <source>The engine did not finish the last words in time; they are lost.</source>
        <translation>識別引擎未能及時處理最後的內容，這部分已丟失。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="103" />
        <location filename="../worker.py" line="179" />
        <source>Captioning stopped: {}.</source>
        <translation>字幕已停止：{}。</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <location filename="../widgets/export.py" line="14" />
        <source>Plain text (*.txt)</source>
        <translation>純文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="15" />
        <source>SubRip subtitles (*.srt)</source>
        <translation>SubRip 字幕 (*.srt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="16" />
        <source>WebVTT subtitles (*.vtt)</source>
        <translation>WebVTT 字幕 (*.vtt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="17" />
        <source>JSON with word times (*.json)</source>
        <translation>帶時間戳的 JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="49" />
        <source>Save transcript</source>
        <translation>儲存文字記錄</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="58" />
        <source>The transcript could not be saved: {}</source>
        <translation>無法儲存文字記錄：{}</translation>
    </message>
</context>
<context>
    <name>FileTranscriber</name>
    <message>
        <location filename="../widgets/file_panel.py" line="133" />
        <source>no translation: {}</source>
        <translation>沒有翻譯：{}</translation>
    </message>
</context>
<context>
    <name>FileTranscription</name>
    <message>
        <location filename="../widgets/file_panel.py" line="43" />
        <source>Audio and video</source>
        <translation>音訊和影片</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="44" />
        <source>All files</source>
        <translation>所有檔案</translation>
    </message>
</context>
<context>
    <name>FileTranscriptionDialog</name>
    <message>
        <location filename="../widgets/file_panel.py" line="161" />
        <source>Transcribe {}</source>
        <translation>轉寫 {}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="163" />
        <source>Transcribing {}…</source>
        <translation>正在轉寫 {}…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="168" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="171" />
        <source>The transcript appears here when the file is done.</source>
        <translation>檔案轉寫完成後，文字記錄會顯示在這裡。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="173" />
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="174" />
        <source>Export…</source>
        <translation>匯出…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="216" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="226" />
        <source>Transcript saved: {}</source>
        <translation>文字記錄已儲存：{}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="235" />
        <source>%p%  ({0} of {1} s)</source>
        <translation>%p%（{0} / {1} 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="245" />
        <source>Note: {}.</source>
        <translation>注意：{}。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="247" />
        <source>Done: {0}, {1} s of audio, {2} captions.</source>
        <translation>完成：{0}，音訊 {1} 秒，共 {2} 條字幕。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="259" />
        <source>Could not transcribe: {}</source>
        <translation>無法轉寫：{}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="266" />
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="272" />
        <source>Cancelled after {0} s of {1} s.</source>
        <translation>已在 {1} 秒中的第 {0} 秒處取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="274" />
        <source>Cancelled after {0} s.</source>
        <translation>已在第 {0} 秒處取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="276" />
        <source>The part done is below: Export… saves it with its timestamps.</source>
        <translation>已完成的部分顯示在下方：“匯出…”可將其連同時間戳一起儲存。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../widgets/first_run.py" line="77" />
        <source>Live Captions: get a speech model</source>
        <translation>即時字幕：獲取語音模型</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="88" />
        <source>&lt;b&gt;Live Captions needs a speech model.&lt;/b&gt;&lt;br&gt;It is downloaded once; then everything runs on this computer, without network.</source>
        <translation>&lt;b&gt;即時字幕需要一個語音模型。&lt;/b&gt;&lt;br&gt;只需下載一次；之後一切都在這臺計算機上執行，無需聯網。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="103" />
        <source>A Hugging Face id of a CTC speech model</source>
        <translation>CTC 語音模型的 Hugging Face ID</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="109" />
        <source>Where models come from: the Hugging Face hub, or a mirror of it such as {} (reachable from mainland China)</source>
        <translation>模型的下載來源：Hugging Face Hub，或其映象，例如 {}（在中國大陸可訪問）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="116" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="117" />
        <source>{0}:</source>
        <translation>{0}：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="124" />
        <source>Download</source>
        <translation>下載</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="126" />
        <source>Cancel download</source>
        <translation>取消下載</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="128" />
        <source>Use a model folder…</source>
        <translation>使用模型資料夾…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="129" />
        <source>Try the demo model (synthetic voices only)</source>
        <translation>試用演示模型（僅限合成語音）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="149" />
        <source>Or:</source>
        <translation>或者：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="181" />
        <source>Asking {} about the model…</source>
        <translation>正在向 {} 查詢模型資訊…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="196" />
        <source>{0}, from {1}, into {2}</source>
        <translation>{0}，來自 {1}，儲存到 {2}</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="229" />
        <source>Starting the download…</source>
        <translation>正在開始下載…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="269" />
        <source>Download cancelled. Nothing half-downloaded is used, but what arrived is kept: downloading again goes on from there.</source>
        <translation>下載已取消。未下載完的檔案不會被使用，但已收到的資料會保留：再次下載時從中斷處繼續。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="283" />
        <source>Folder with a CTC speech model</source>
        <translation>包含 CTC 語音模型的資料夾</translation>
    </message>
</context>
<context>
    <name>InputPicker</name>
    <message>
        <location filename="../widgets/inputs.py" line="46" />
        <source>Caption a second input at once, for example your microphone and the computer's audio in a call: each line shows whose it is.</source>
        <translation>同時為第二個輸入生成字幕，例如通話中的麥克風和電腦音訊：每行都標明說話的一方。</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="55" />
        <source>The label shown before this input's lines</source>
        <translation>顯示在此輸入每行字幕前的標籤</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="66" />
        <source>System default input</source>
        <translation>系統預設輸入</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="67" />
        <source>None</source>
        <translation>無</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="80" />
        <source>Inputs with a speaker icon record what the computer plays.</source>
        <translation>帶揚聲器圖示的輸入錄製電腦正在播放的聲音。</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="109" />
        <source>System audio: {}</source>
        <translation>系統音訊：{}</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="152" />
        <source>Others</source>
        <translation>對方</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="152" />
        <source>You</source>
        <translation>我</translation>
    </message>
</context>
<context>
    <name>LanguageModelGroup</name>
    <message>
        <location filename="../widgets/lm_group.py" line="32" />
        <source>Language model and custom words</source>
        <translation>語言模型和自定義詞</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="36" />
        <source>Decode with a language model: fewer word errors; final words come about half a second later</source>
        <translation>使用語言模型解碼：詞錯誤更少；最終文字約晚半秒出現</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="42" />
        <source>The model's own, if it has one (the demo model has)</source>
        <translation>模型自帶的（如果有；演示模型有）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="45" />
        <source>A word n-gram model: an ARPA file, a KenLM binary (with unigrams.txt beside it), a language_model folder, or 'demo' for the demo model's own</source>
        <translation>詞 n 元語法模型：ARPA 檔案、KenLM 二進位制檔案（旁邊需有 unigrams.txt）、language_model 資料夾，或 “demo” 表示演示模型自帶的模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="49" />
        <source>File…</source>
        <translation>檔案…</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="54" />
        <source>Language model:</source>
        <translation>語言模型：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="59" />
        <source>Own weights:</source>
        <translation>自定義權重：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="61" />
        <source>Otherwise the language model's own (attrs.json) or the measured defaults</source>
        <translation>否則使用語言模型自帶的權重（attrs.json）或實測的預設值</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="69" />
        <source>LM weight</source>
        <translation>語言模型權重</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="71" />
        <source>word bonus</source>
        <translation>詞獎勵</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="77" />
        <source>Names, places, jargon: one word or phrase per line</source>
        <translation>人名、地名、術語：每行一個詞或短語</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="81" />
        <source>Favoured by the decoder, with or without a language model</source>
        <translation>解碼器會優先考慮這些詞，無論是否使用語言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="83" />
        <source>Custom words:</source>
        <translation>自定義詞：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="86" />
        <source>How strongly custom words are favoured (a log-probability bonus per word)</source>
        <translation>自定義詞的優先程度（每個詞的對數機率獎勵）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="88" />
        <source>Custom word boost:</source>
        <translation>自定義詞加權：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="135" />
        <source>The demo model's own language model</source>
        <translation>演示模型自帶的語言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="138" />
        <source>{} words known ({})</source>
        <translation>已知 {} 個詞（{}）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="146" />
        <source>Language model</source>
        <translation>語言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="148" />
        <source>Language models (*.arpa *.bin *.binary);;All files (*)</source>
        <translation>語言模型 (*.arpa *.bin *.binary);;所有檔案 (*)</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../widgets/indicators.py" line="26" />
        <source>Input level</source>
        <translation>輸入音量</translation>
    </message>
</context>
<context>
    <name>LiveSession</name>
    <message>
        <location filename="../session.py" line="198" />
        <source>No speech model is loaded yet; captions can start once it is.</source>
        <translation>尚未載入語音模型；載入完成後即可開始字幕。</translation>
    </message>
    <message>
        <location filename="../session.py" line="312" />
        <source>{0}: {1} The other input's captions go on.</source>
        <translation>{0}：{1} 另一個輸入的字幕繼續。</translation>
    </message>
    <message>
        <location filename="../session.py" line="328" />
        <source>The input “{0}” is gone: PulseAudio now records “{1}” instead. Choose the input again, or stop the captions.</source>
        <translation>輸入“{0}”已不存在：PulseAudio 現在改為錄製“{1}”。請重新選擇輸入，或停止字幕。</translation>
    </message>
    <message>
        <location filename="../session.py" line="351" />
        <source>{0} stopped; the other input's captions go on.</source>
        <translation>{0} 已停止；另一個輸入的字幕繼續。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../widgets/main_window.py" line="87" />
        <source>Live Captions</source>
        <translation>即時字幕</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="120" />
        <location filename="../widgets/main_window.py" line="417" />
        <source>&amp;Start captions</source>
        <translation>開始字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="123" />
        <source>&amp;Open audio or video file…</source>
        <translation>開啟音訊或影片檔案(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="126" />
        <source>&amp;Save transcript as…</source>
        <translation>文字記錄另存為(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="128" />
        <source>&amp;Copy transcript</source>
        <translation>複製文字記錄(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="129" />
        <source>C&amp;lear transcript</source>
        <translation>清除文字記錄(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="131" />
        <source>Open &amp;transcripts folder</source>
        <translation>開啟文字記錄資料夾(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="134" />
        <source>S&amp;ettings…</source>
        <translation>設定(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="138" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="140" />
        <source>Show caption &amp;overlay</source>
        <translation>顯示字幕浮窗(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="146" />
        <source>&amp;Lock overlay (click-through)</source>
        <translation>鎖定浮窗（滑鼠穿透）(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="156" />
        <source>&amp;File</source>
        <translation>檔案(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="167" />
        <source>&amp;Edit</source>
        <translation>編輯(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="169" />
        <source>&amp;Captions</source>
        <translation>字幕(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="174" />
        <location filename="../widgets/main_window.py" line="416" />
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="186" />
        <source>List the audio inputs again</source>
        <translation>重新列出音訊輸入</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="191" />
        <source>Input:</source>
        <translation>輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="197" />
        <location filename="../widgets/main_window.py" line="201" />
        <source>Label:</source>
        <translation>標籤：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="199" />
        <source>Second input:</source>
        <translation>第二個輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="214" />
        <location filename="../widgets/main_window.py" line="306" />
        <source>No model loaded</source>
        <translation>未載入模型</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="219" />
        <source>How far the final captions are behind the audio</source>
        <translation>最終字幕落後於音訊的時間</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="223" />
        <source>Audio blocks lost: the computer could not keep up, or the sound device dropped audio</source>
        <translation>丟失的音訊塊：計算機處理不及，或聲音裝置丟失了音訊</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="233" />
        <source>Stop loading the punctuation or translation model</source>
        <translation>停止載入標點或翻譯模型</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="263" />
        <source>Start or stop live captions</source>
        <translation>開始或停止即時字幕</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="276" />
        <source>Model: {}</source>
        <translation>模型：{}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="353" />
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="370" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="371" />
        <source>&amp;Stop captions</source>
        <translation>停止字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="398" />
        <source>Lag {} s</source>
        <translation>延遲 {} 秒</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="410" />
        <source>Dropped audio: {} blocks</source>
        <translation>丟失音訊：{} 塊</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="437" />
        <source>Transcript saved as {} (File &gt; Open transcripts folder)</source>
        <translation>文字記錄已儲存為 {}（檔案 &gt; 開啟文字記錄資料夾）</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="452" />
        <source>Transcript saved: {}</source>
        <translation>文字記錄已儲存：{}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="465" />
        <source>No file manager could open the folder. The transcripts are in {}</source>
        <translation>沒有檔案管理器能開啟該資料夾。字幕記錄儲存在 {}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="488" />
        <source>Transcribe a file</source>
        <translation>轉寫檔案</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="496" />
        <source>No speech model is loaded yet; files can be transcribed once it is.</source>
        <translation>尚未載入語音模型；載入完成後即可轉寫檔案。</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="557" />
        <source>Quitting once the last translations are in the transcript ({0} left). Quit again to quit at once.</source>
        <translation>最後幾句的翻譯寫入記錄後即退出（還剩 {0} 句）。再次退出可立即退出。</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../widgets/indicators.py" line="45" />
        <source>Dismiss</source>
        <translation>關閉</translation>
    </message>
</context>
<context>
    <name>PunctuationGroup</name>
    <message>
        <location filename="../widgets/text_groups.py" line="40" />
        <source>Punctuation</source>
        <translation>標點</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="43" />
        <source>Punctuate and capitalise the captions (a final word shows a moment later)</source>
        <translation>為字幕加標點和大小寫（確定的詞會稍晚一點顯示）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="47" />
        <source>Automatic: the model for the speech language</source>
        <translation>自動：與語音語言相配的模型</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="50" />
        <source>A token-classification punctuation model: a Hugging Face id (downloaded once), a folder, or 'demo' for the demo model's own</source>
        <translation>詞元分類標點模型：Hugging Face 模型 ID（只下載一次）、本地資料夾，或 'demo'（演示模型自帶的）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="54" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="50" />
        <source>Low latency (about 0.5 s behind)</source>
        <translation>低延遲（約落後 0.5 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="51" />
        <source>Balanced (about 1 s behind)</source>
        <translation>均衡（約落後 1 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="52" />
        <source>Accurate (about 2 s behind)</source>
        <translation>準確（約落後 2 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="55" />
        <source>Automatic (CUDA when available)</source>
        <translation>自動（有 CUDA 時使用）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="56" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="57" />
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA（NVIDIA 顯示卡）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="60" />
        <source>As the model writes them</source>
        <translation>保持模型輸出</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="61" />
        <source>Simplified (简体)</source>
        <translation>簡體</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="62" />
        <source>Traditional (繁體)</source>
        <translation>繁體（繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="63" />
        <source>Traditional, Taiwan (臺灣正體)</source>
        <translation>繁體，臺灣（臺灣正體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="64" />
        <source>Traditional, Hong Kong (香港繁體)</source>
        <translation>繁體，香港（香港繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="68" />
        <source>Automatic (ONNX Runtime on the CPU, PyTorch on CUDA)</source>
        <translation>自動（CPU 上用 ONNX Runtime，CUDA 上用 PyTorch）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="70" />
        <source>ONNX Runtime (CPU only)</source>
        <translation>ONNX Runtime（僅 CPU）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="71" />
        <source>PyTorch</source>
        <translation>PyTorch</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="74" />
        <source>The label before each line</source>
        <translation>每行前顯示標籤</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="75" />
        <source>A colour for each input</source>
        <translation>每個輸入一種顏色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="76" />
        <source>The label and a colour</source>
        <translation>標籤和顏色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="123" />
        <source>Live Captions settings</source>
        <translation>即時字幕設定</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="159" />
        <source>Speech recognition</source>
        <translation>語音識別</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="170" />
        <source>A Hugging Face model id (downloaded once, then cached), a local folder with a Wav2Vec2ForCTC checkpoint, or 'demo' for the bundled demo model.</source>
        <translation>Hugging Face 模型 ID（下載一次後快取）、包含 Wav2Vec2ForCTC 檢查點的本地資料夾，或內建演示模型 “demo”。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="174" />
        <source>Folder…</source>
        <translation>資料夾…</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="179" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="188" />
        <source>Automatic (HF_ENDPOINT if set, else huggingface.co)</source>
        <translation>自動（若設定了 HF_ENDPOINT 則使用它，否則使用 huggingface.co）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="192" />
        <source>Where models are downloaded from: the Hugging Face hub or a mirror of it, such as {} (reachable from mainland China)</source>
        <translation>模型的下載來源：Hugging Face Hub 或其映象，例如 {}（在中國大陸可訪問）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="196" />
        <source>Download from:</source>
        <translation>下載來源：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="200" />
        <source>Runs on:</source>
        <translation>運行於：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="206" />
        <source>ONNX Runtime labels frames exactly as PyTorch does; a model is prepared for it once (a minute or more) on first use.</source>
        <translation>ONNX Runtime 給出的幀標籤與 PyTorch 完全相同；模型首次使用時需為其準備一次（一分鐘或更久）。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="210" />
        <source>Engine:</source>
        <translation>推理引擎：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="211" />
        <source>Power saving</source>
        <translation>省電模式</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="214" />
        <source>Uses less processor time: smaller weights (words may differ a little), captions up to a second later, and partial text once every two seconds</source>
        <translation>佔用更少的處理器時間：較小的權重（文字可能略有不同），字幕最多晚一秒，臨時文字每兩秒更新一次</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="223" />
        <source>Live captions:</source>
        <translation>即時字幕：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="224" />
        <source>Steady partial text</source>
        <translation>穩定的臨時文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="227" />
        <source>Steady partial text: a word shows about half a second later, but rarely changes once shown</source>
        <translation>穩定的臨時文字：文字約晚半秒顯示，但顯示後很少改變</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="234" />
        <source>List every host API's entry for each input (MME, DirectSound, WDM-KS), not only WASAPI's</source>
        <translation>列出每個輸入在所有主機 API（MME、DirectSound、WDM-KS）下的條目，而不僅是 WASAPI 的</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="240" />
        <source>On Windows each microphone is listed once, through WASAPI. An entry through another host API can help with an old driver.</source>
        <translation>在 Windows 上，每個麥克風只通過 WASAPI 列出一次。通過其他主機 API 的條目可能有助於舊驅動程式。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="245" />
        <source>Inputs:</source>
        <translation>輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="253" />
        <source>Write Chinese captions and transcripts in simplified or traditional characters, whichever the model writes</source>
        <translation>無論模型輸出哪種字形，都以簡體或繁體顯示中文字幕和文字記錄</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="257" />
        <source>Chinese characters:</source>
        <translation>中文字形：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="261" />
        <source>Audio inputs</source>
        <translation>音訊輸入</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="264" />
        <source>Input:</source>
        <translation>輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="265" />
        <source>Second input:</source>
        <translation>第二個輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="269" />
        <source>Label:</source>
        <translation>標籤：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="275" />
        <source>Caption overlay</source>
        <translation>字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="282" />
        <source>Font:</source>
        <translation>字型：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="284" />
        <source>Lines:</source>
        <translation>行數：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="290" />
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="291" />
        <source>Unfinal</source>
        <translation>臨時文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="292" />
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="297" />
        <source>Colours:</source>
        <translation>顏色：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="299" />
        <source>Opacity of the background: 0 invisible, 1 solid</source>
        <translation>背景不透明度：0 為透明，1 為不透明</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="300" />
        <source>Background opacity:</source>
        <translation>背景不透明度：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="306" />
        <source>With two inputs, how the overlay shows whose each line is</source>
        <translation>有兩個輸入時，字幕浮窗如何標明每行字幕來自哪一方</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="309" />
        <source>The first input's colour</source>
        <translation>第一個輸入的顏色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="310" />
        <source>The second input's colour</source>
        <translation>第二個輸入的顏色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="315" />
        <source>Two inputs:</source>
        <translation>兩個輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="319" />
        <source>Interface</source>
        <translation>介面</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="324" />
        <source>The language of the app; applies from the next start</source>
        <translation>應用的介面語言；下次啟動時生效</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="325" />
        <source>Language:</source>
        <translation>語言：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="329" />
        <source>The key that starts and stops live captions</source>
        <translation>開始和停止即時字幕的按鍵</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="330" />
        <source>Start/stop key:</source>
        <translation>開始/停止按鍵：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="334" />
        <source>Local speech API</source>
        <translation>本地語音 API</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="337" />
        <source>Serve the loaded model to other programs over HTTP and WebSocket</source>
        <translation>通過 HTTP 和 WebSocket 向其他程式提供已載入的模型</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="341" />
        <source>none: any program on this computer may connect</source>
        <translation>留空：本機任何程式都可以連線</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="343" />
        <source>Port (localhost):</source>
        <translation>埠（本機）：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="344" />
        <source>Access token:</source>
        <translation>訪問令牌：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="346" />
        <source>The API is not part of this installation.</source>
        <translation>此安裝不包含 API。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="478" />
        <source>Not in the catalogue: any CTC speech model (hub id or folder) works.</source>
        <translation>不在目錄中：任何 CTC 語音模型（模型倉庫 ID 或資料夾）都可以使用。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="482" />
        <source>Folder with a CTC speech model</source>
        <translation>包含 CTC 語音模型的資料夾</translation>
    </message>
    <message>
        <location filename="../language.py" line="21" />
        <source>System language</source>
        <translation>跟隨系統</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../widgets/transcript_view.py" line="42" />
        <source>Press Start to caption the selected input, or open or drop an audio or video file to transcribe it.</source>
        <translation>按“開始”為所選輸入生成字幕，或開啟、拖入音訊或影片檔案進行轉寫。</translation>
    </message>
</context>
<context>
    <name>TranslationGroup</name>
    <message>
        <location filename="../widgets/text_groups.py" line="25" />
        <source>Chinese (zh)</source>
        <translation>中文 (zh)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="26" />
        <source>English (en)</source>
        <translation>英語 (en)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="27" />
        <source>German (de)</source>
        <translation>德語 (de)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="30" />
        <source>Under the captions</source>
        <translation>在字幕下方</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="31" />
        <source>Instead of the captions</source>
        <translation>代替字幕</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="77" />
        <source>Translation</source>
        <translation>翻譯</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="80" />
        <source>Translate each sentence on this computer (the model is downloaded once)</source>
        <translation>在本機翻譯每個句子（模型只下載一次）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="86" />
        <source>The language to translate into (an ISO 639-1 code)</source>
        <translation>譯入的語言（ISO 639-1 程式碼）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="87" />
        <source>Into:</source>
        <translation>譯為：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="98" />
        <source>Automatic: the catalogue's model for the two languages</source>
        <translation>自動：目錄中這兩種語言的模型</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="101" />
        <source>A MarianMT (OPUS-MT) model: a Hugging Face id or a local folder</source>
        <translation>MarianMT (OPUS-MT) 模型：Hugging Face 模型 ID 或本地資料夾</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="103" />
        <source>Folder…</source>
        <translation>資料夾…</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="108" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="117" />
        <source>In the overlay:</source>
        <translation>懸浮字幕中：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="172" />
        <source>Folder with a MarianMT model</source>
        <translation>含 MarianMT 模型的資料夾</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../widgets/tray.py" line="18" />
        <source>Live Captions</source>
        <translation>即時字幕</translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="20" />
        <source>Show window</source>
        <translation>顯示視窗</translation>
    </message>
</context>
<context>
    <name>_LoadJob</name>
    <message>
        <location filename="../model_loader.py" line="41" />
        <source>Loading {}…</source>
        <translation>正在載入 {}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="54" />
        <source>Loading the demo model…</source>
        <translation>正在載入演示模型…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="60" />
        <source>The demo model cannot be used either: {}</source>
        <translation>演示模型也無法使用：{}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="64" />
        <source>The model '{0}' could not be loaded, so the demo model is in use; it understands synthetic voices only. {1} Choose the model in Settings.</source>
        <translation>無法載入模型“{0}”，現正使用演示模型；它只能識別合成語音。{1} 請在設定中選擇模型。</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="70" />
        <source>Downloading {0}: {1}</source>
        <translation>正在下載 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="75" />
        <source>Preparing the model for ONNX Runtime (once): {what}…</source>
        <translation>正在為 ONNX Runtime 準備模型（僅一次）：{what}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="82" />
        <source>Open Settings to choose another model (a Hugging Face id or a local folder) or the compute device, then load it again. Until then captions and file transcription are unavailable.</source>
        <translation>請開啟設定，選擇其他模型（Hugging Face ID 或本地資料夾）或計算裝置，然後重新載入。在此之前無法使用字幕和檔案轉寫。</translation>
    </message>
</context>
<context>
    <name>_TextJob</name>
    <message>
        <location filename="../text_models.py" line="79" />
        <source>Loading the punctuation model {}…</source>
        <translation>正在載入標點模型 {}…</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="87" />
        <source>Captions come without punctuation: the punctuation model {0} is not on this computer and cannot be downloaded now (no network, or downloads are off). Connect and open Settings &gt; OK to try again, or switch punctuation off there.</source>
        <translation>字幕暫無標點：標點模型 {0} 不在本機，現在也無法下載（沒有網路，或已關閉下載）。請聯網後開啟“設定”並點“確定”重試，或在那裡關閉標點。</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="92" />
        <source>Captions come without punctuation: {0}</source>
        <translation>字幕暫無標點：{0}</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="101" />
        <source>Loading the translation model ({})…</source>
        <translation>正在載入翻譯模型（{}）…</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="112" />
        <source>Captions come without translation: the translation model {0} is not on this computer and cannot be downloaded now (no network, or downloads are off). Connect and open Settings &gt; OK to try again.</source>
        <translation>字幕暫無翻譯：翻譯模型 {0} 不在本機，現在也無法下載（沒有網路，或已關閉下載）。請聯網後開啟“設定”並點“確定”重試。</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="116" />
        <source>Captions come without translation: {0}</source>
        <translation>字幕暫無翻譯：{0}</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="121" />
        <source>Downloading {0}: {1}</source>
        <translation>正在下載 {0}：{1}</translation>
    </message>
</context>
</TS>