<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_TW">
<context>
    <name>CaptionOverlay</name>
    <message>
        <location filename="../widgets/overlay.py" line="52" />
        <source>Live Captions overlay</source>
        <translation>即時字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/overlay.py" line="241" />
        <source>Captions appear here · drag to move · right-click for options</source>
        <translation>字幕顯示在這裡 · 拖動可移動 · 右鍵開啟選項</translation>
    </message>
</context>
<context>
    <name>ColorButton</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="85" />
        <source>Choose a colour</source>
        <translation>選擇顏色</translation>
    </message>
</context>
<context>
    <name>DesktopApp</name>
    <message>
        <location filename="../app.py" line="97" />
        <source>Captioning</source>
        <translation>正在生成字幕</translation>
    </message>
    <message>
        <location filename="../app.py" line="98" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../app.py" line="103" />
        <source>Get a speech model…</source>
        <translation>獲取語音模型…</translation>
    </message>
    <message>
        <location filename="../app.py" line="144" />
        <source>No speech model yet</source>
        <translation>還沒有語音模型</translation>
    </message>
    <message>
        <location filename="../app.py" line="167" />
        <source>No speech model is on this computer yet: captions start once one is downloaded or chosen.</source>
        <translation>這臺計算機上還沒有語音模型：下載或選擇模型後即可開始字幕。</translation>
    </message>
    <message>
        <location filename="../app.py" line="225" />
        <source>The new model is loading; the captions running now keep the old one until you stop and start them again.</source>
        <translation>新模型正在載入；當前的字幕會繼續使用舊模型，直到你停止並重新開始。</translation>
    </message>
    <message>
        <location filename="../app.py" line="234" />
        <source>The new language applies from the next start of the app.</source>
        <translation>新的介面語言將在下次啟動應用時生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="236" />
        <source>The new live-caption settings apply from the next start.</source>
        <translation>新的即時字幕設定將在下次開始時生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="258" />
        <source>Live Captions: {}</source>
        <translation>即時字幕：{}</translation>
    </message>
</context>
<context>
    <name>EmbeddedApi</name>
    <message>
        <location filename="../api_server.py" line="52" />
        <source>The local API is not part of this installation ({}).</source>
        <translation>此安裝不包含本地 API（{}）。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="55" />
        <source>API unavailable</source>
        <translation>API 不可用</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="60" />
        <source>The local API could not start: {}. Choose another port in Settings.</source>
        <translation>本地 API 無法啟動：{}。請在設定中選擇其他埠。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="64" />
        <source>API off</source>
        <translation>API 已關閉</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="66" />
        <source>API on {}</source>
        <translation>API 運行於 {}</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <location filename="../worker.py" line="72" />
        <source>The engine is busy: {}.</source>
        <translation>識別引擎繁忙：{}。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="120" />
        <source>The engine did not finish the last words in time; they are lost.</source>
        <translation>識別引擎未能及時處理最後的內容，這部分已丟失。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="148" />
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
        <location filename="../widgets/export.py" line="42" />
        <source>Save transcript</source>
        <translation>儲存文字記錄</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="50" />
        <source>The transcript could not be saved: {}</source>
        <translation>無法儲存文字記錄：{}</translation>
    </message>
</context>
<context>
    <name>FileTranscription</name>
    <message>
        <location filename="../widgets/file_panel.py" line="42" />
        <source>Audio and video</source>
        <translation>音訊和影片</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="43" />
        <source>All files</source>
        <translation>所有檔案</translation>
    </message>
</context>
<context>
    <name>FileTranscriptionDialog</name>
    <message>
        <location filename="../widgets/file_panel.py" line="117" />
        <source>Transcribe {}</source>
        <translation>轉寫 {}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="119" />
        <source>Transcribing {}…</source>
        <translation>正在轉寫 {}…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="124" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="127" />
        <source>The transcript appears here when the file is done.</source>
        <translation>檔案轉寫完成後，文字記錄會顯示在這裡。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="129" />
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="130" />
        <source>Export…</source>
        <translation>匯出…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="172" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="187" />
        <source>%p%  ({0} of {1} s)</source>
        <translation>%p%（{0} / {1} 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="197" />
        <source>Note: {}.</source>
        <translation>注意：{}。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="199" />
        <source>Done: {0}, {1} s of audio, {2} captions.</source>
        <translation>完成：{0}，音訊 {1} 秒，共 {2} 條字幕。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="211" />
        <source>Could not transcribe: {}</source>
        <translation>無法轉寫：{}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="217" />
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../widgets/first_run.py" line="66" />
        <source>Live Captions: get a speech model</source>
        <translation>即時字幕：獲取語音模型</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="77" />
        <source>&lt;b&gt;Live Captions needs a speech model.&lt;/b&gt;&lt;br&gt;It is downloaded once; then everything runs on this computer, without network.</source>
        <translation>&lt;b&gt;即時字幕需要一個語音模型。&lt;/b&gt;&lt;br&gt;只需下載一次；之後一切都在這臺計算機上執行，無需聯網。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="84" />
        <source>A Hugging Face id of a Wav2Vec2ForCTC speech model</source>
        <translation>Wav2Vec2ForCTC 語音模型的 Hugging Face ID</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="90" />
        <source>Where models come from: the Hugging Face hub, or a mirror of it such as {} (reachable from mainland China)</source>
        <translation>模型的下載來源：Hugging Face Hub，或其映象，例如 {}（在中國大陸可訪問）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="97" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="98" />
        <source>Download from:</source>
        <translation>下載來源：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="105" />
        <source>Download</source>
        <translation>下載</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="107" />
        <source>Cancel download</source>
        <translation>取消下載</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="109" />
        <source>Use a model folder…</source>
        <translation>使用模型資料夾…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="110" />
        <source>Try the demo model (synthetic voices only)</source>
        <translation>試用演示模型（僅限合成語音）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="127" />
        <source>Or:</source>
        <translation>或者：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="156" />
        <source>Asking {} about the model…</source>
        <translation>正在向 {} 查詢模型資訊…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="169" />
        <source>{0}, from {1}, into {2}</source>
        <translation>{0}，來自 {1}，儲存到 {2}</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="204" />
        <source>Starting the download…</source>
        <translation>正在開始下載…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="231" />
        <source>Download cancelled. Nothing half-downloaded is used; files that were complete stay, so downloading again goes on from there.</source>
        <translation>下載已取消。未下載完的檔案不會被使用；已完成的檔案會保留，再次下載時將從那裡繼續。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="246" />
        <source>Folder with a Wav2Vec2ForCTC model</source>
        <translation>包含 Wav2Vec2ForCTC 模型的資料夾</translation>
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
        <location filename="../session.py" line="81" />
        <source>No speech model is loaded yet; captions can start once it is.</source>
        <translation>尚未載入語音模型；載入完成後即可開始字幕。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../widgets/main_window.py" line="80" />
        <source>Live Captions</source>
        <translation>即時字幕</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="113" />
        <location filename="../widgets/main_window.py" line="359" />
        <source>&amp;Start captions</source>
        <translation>開始字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="116" />
        <source>&amp;Open audio or video file…</source>
        <translation>開啟音訊或影片檔案(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="119" />
        <source>&amp;Save transcript as…</source>
        <translation>文字記錄另存為(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="121" />
        <source>&amp;Copy transcript</source>
        <translation>複製文字記錄(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="122" />
        <source>C&amp;lear transcript</source>
        <translation>清除文字記錄(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="124" />
        <source>Open &amp;transcripts folder</source>
        <translation>開啟文字記錄資料夾(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="127" />
        <source>Se&amp;ttings…</source>
        <translation>設定(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="131" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="133" />
        <source>Show caption &amp;overlay</source>
        <translation>顯示字幕浮窗(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="139" />
        <source>&amp;Lock overlay (click-through)</source>
        <translation>鎖定浮窗（滑鼠穿透）(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="149" />
        <source>&amp;File</source>
        <translation>檔案(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="160" />
        <source>&amp;Edit</source>
        <translation>編輯(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="162" />
        <source>&amp;Captions</source>
        <translation>字幕(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="166" />
        <location filename="../widgets/main_window.py" line="358" />
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="168" />
        <source>Start or stop live captions (Ctrl+Space)</source>
        <translation>開始或停止即時字幕（Ctrl+空格）</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="176" />
        <source>List the audio inputs again</source>
        <translation>重新列出音訊輸入</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="181" />
        <source>Input:</source>
        <translation>輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="195" />
        <location filename="../widgets/main_window.py" line="254" />
        <source>No model loaded</source>
        <translation>未載入模型</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="200" />
        <source>How far the final captions are behind the audio</source>
        <translation>最終字幕落後於音訊的時間</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="204" />
        <source>Audio blocks lost: the computer could not keep up, or the sound device dropped audio</source>
        <translation>丟失的音訊塊：計算機處理不及，或聲音裝置丟失了音訊</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="237" />
        <source>Model: {}</source>
        <translation>模型：{}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="276" />
        <source>System default input</source>
        <translation>系統預設輸入</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="283" />
        <source>Inputs marked 🔊 record what the computer plays.</source>
        <translation>標有 🔊 的輸入會錄製計算機播放的聲音。</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="298" />
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="313" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="314" />
        <source>&amp;Stop captions</source>
        <translation>停止字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="339" />
        <source>Lag {} s</source>
        <translation>延遲 {} 秒</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="351" />
        <source>Dropped audio: {} blocks</source>
        <translation>丟失音訊：{} 塊</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="373" />
        <source>Transcript saved as {} (File &gt; Open transcripts folder)</source>
        <translation>文字記錄已儲存為 {}（檔案 &gt; 開啟文字記錄資料夾）</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="414" />
        <source>Transcribe a file</source>
        <translation>轉寫檔案</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="422" />
        <source>No speech model is loaded yet; files can be transcribed once it is.</source>
        <translation>尚未載入語音模型；載入完成後即可轉寫檔案。</translation>
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
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="40" />
        <source>Low latency (about 0.5 s behind)</source>
        <translation>低延遲（約落後 0.5 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="41" />
        <source>Balanced (about 1 s behind)</source>
        <translation>均衡（約落後 1 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="42" />
        <source>Accurate (about 2 s behind)</source>
        <translation>準確（約落後 2 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="45" />
        <source>Automatic (CUDA when available)</source>
        <translation>自動（有 CUDA 時使用）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="46" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="47" />
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA（NVIDIA 顯示卡）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="50" />
        <source>As the model writes them</source>
        <translation>保持模型輸出</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="51" />
        <source>Simplified (简体)</source>
        <translation>簡體</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="52" />
        <source>Traditional (繁體)</source>
        <translation>繁體（繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="53" />
        <source>Traditional, Taiwan (臺灣正體)</source>
        <translation>繁體，臺灣（臺灣正體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="54" />
        <source>Traditional, Hong Kong (香港繁體)</source>
        <translation>繁體，香港（香港繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="58" />
        <source>Automatic (ONNX Runtime on the CPU, PyTorch on CUDA)</source>
        <translation>自動（CPU 上用 ONNX Runtime，CUDA 上用 PyTorch）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="60" />
        <source>ONNX Runtime (CPU only)</source>
        <translation>ONNX Runtime（僅 CPU）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="61" />
        <source>PyTorch</source>
        <translation>PyTorch</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="98" />
        <source>Live Captions settings</source>
        <translation>即時字幕設定</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="119" />
        <source>Speech recognition</source>
        <translation>語音識別</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="130" />
        <source>A Hugging Face model id (downloaded once, then cached), a local folder with a Wav2Vec2ForCTC checkpoint, or 'demo' for the bundled demo model.</source>
        <translation>Hugging Face 模型 ID（下載一次後快取）、包含 Wav2Vec2ForCTC 檢查點的本地資料夾，或內建演示模型 “demo”。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="134" />
        <source>Folder…</source>
        <translation>資料夾…</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="139" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="147" />
        <source>Automatic (HF_ENDPOINT if set, else huggingface.co)</source>
        <translation>自動（若設定了 HF_ENDPOINT 則使用它，否則使用 huggingface.co）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="151" />
        <source>Where models are downloaded from: the Hugging Face hub or a mirror of it, such as {} (reachable from mainland China)</source>
        <translation>模型的下載來源：Hugging Face Hub 或其映象，例如 {}（在中國大陸可訪問）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="155" />
        <source>Download from:</source>
        <translation>下載來源：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="159" />
        <source>Runs on:</source>
        <translation>運行於：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="165" />
        <source>ONNX Runtime labels frames exactly as PyTorch does; a model is prepared for it once (a minute or more) on first use.</source>
        <translation>ONNX Runtime 給出的幀標籤與 PyTorch 完全相同；模型首次使用時需為其準備一次（一分鐘或更久）。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="169" />
        <source>Engine:</source>
        <translation>推理引擎：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="174" />
        <source>Live captions:</source>
        <translation>即時字幕：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="177" />
        <source>Steady partial text: a word shows about half a second later, but rarely changes once shown</source>
        <translation>穩定的臨時文字：文字約晚半秒顯示，但顯示後很少改變</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="184" />
        <source>List every host API's entry for each input (MME, DirectSound, WDM-KS), not only WASAPI's</source>
        <translation>列出每個輸入在所有主機 API（MME、DirectSound、WDM-KS）下的條目，而不僅是 WASAPI 的</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="190" />
        <source>On Windows each microphone is listed once, through WASAPI. An entry through another host API can help with an old driver.</source>
        <translation>在 Windows 上，每個麥克風只通過 WASAPI 列出一次。通過其他主機 API 的條目可能有助於舊驅動程式。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="194" />
        <source>Inputs:</source>
        <translation>輸入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="200" />
        <source>Write Chinese captions and transcripts in simplified or traditional characters, whichever the model writes</source>
        <translation>無論模型輸出哪種字形，都以簡體或繁體顯示中文字幕和文字記錄</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="204" />
        <source>Chinese characters:</source>
        <translation>中文字形：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="208" />
        <source>Caption overlay</source>
        <translation>字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="215" />
        <source>Font:</source>
        <translation>字型：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="217" />
        <source>Lines:</source>
        <translation>行數：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="223" />
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="224" />
        <source>Unfinal</source>
        <translation>臨時文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="225" />
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="230" />
        <source>Colours:</source>
        <translation>顏色：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="232" />
        <source>Opacity of the background: 0 invisible, 1 solid</source>
        <translation>背景不透明度：0 為透明，1 為不透明</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="233" />
        <source>Background opacity:</source>
        <translation>背景不透明度：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="237" />
        <source>Interface</source>
        <translation>介面</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="242" />
        <source>The language of the app; applies from the next start</source>
        <translation>應用的介面語言；下次啟動時生效</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="243" />
        <source>Language:</source>
        <translation>語言：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="247" />
        <source>Local speech API</source>
        <translation>本地語音 API</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="250" />
        <source>Serve the loaded model to other programs over HTTP and WebSocket</source>
        <translation>通過 HTTP 和 WebSocket 向其他程式提供已載入的模型</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="254" />
        <source>none: any program on this computer may connect</source>
        <translation>留空：本機任何程式都可以連線</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="256" />
        <source>Port (localhost):</source>
        <translation>埠（本機）：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="257" />
        <source>Access token:</source>
        <translation>訪問令牌：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="259" />
        <source>The API is not part of this installation.</source>
        <translation>此安裝不包含 API。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="361" />
        <source>Not in the catalogue: any Wav2Vec2ForCTC hub id or folder works.</source>
        <translation>不在目錄中：任何 Wav2Vec2ForCTC 模型 ID 或資料夾都可以使用。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="366" />
        <source>Folder with a Wav2Vec2ForCTC model</source>
        <translation>包含 Wav2Vec2ForCTC 模型的資料夾</translation>
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
        <location filename="../widgets/transcript_view.py" line="29" />
        <source>Press Start (Ctrl+Space) to caption the selected input, or open or drop an audio or video file to transcribe it.</source>
        <translation>按“開始”（Ctrl+空格）為所選輸入生成字幕，或開啟、拖入音訊或影片檔案進行轉寫。</translation>
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
        <location filename="../model_loader.py" line="38" />
        <source>Loading {}…</source>
        <translation>正在載入 {}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="51" />
        <source>Loading the demo model…</source>
        <translation>正在載入演示模型…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="57" />
        <source>The demo model cannot be used either: {}</source>
        <translation>演示模型也無法使用：{}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="61" />
        <source>The model '{0}' could not be loaded, so the demo model is in use; it understands synthetic voices only. {1} Choose the model in Settings.</source>
        <translation>無法載入模型“{0}”，現正使用演示模型；它只能識別合成語音。{1} 請在設定中選擇模型。</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="67" />
        <source>Downloading {0}: {1}</source>
        <translation>正在下載 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="72" />
        <source>Preparing the model for ONNX Runtime (once): {what}…</source>
        <translation>正在為 ONNX Runtime 準備模型（僅一次）：{what}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="79" />
        <source>Open Settings to choose another model (a Hugging Face id or a local folder) or the compute device, then load it again. Until then captions and file transcription are unavailable.</source>
        <translation>請開啟設定，選擇其他模型（Hugging Face ID 或本地資料夾）或計算裝置，然後重新載入。在此之前無法使用字幕和檔案轉寫。</translation>
    </message>
</context>
</TS>