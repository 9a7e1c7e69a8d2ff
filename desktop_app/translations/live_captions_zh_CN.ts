<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaptionOverlay</name>
    <message>
        <location filename="../widgets/overlay.py" line="113"/>
        <source>Live Captions overlay</source>
        <translation>实时字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/overlay.py" line="137"/>
        <source>&amp;Reset overlay position</source>
        <translation>重置浮窗位置(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/overlay.py" line="404"/>
        <source>Captions appear here · drag to move · right-click for options</source>
        <translation>字幕显示在这里 · 拖动可移动 · 右键打开选项</translation>
    </message>
</context>
<context>
    <name>ColorButton</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="100"/>
        <source>Choose a colour</source>
        <translation>选择颜色</translation>
    </message>
</context>
<context>
    <name>DesktopApp</name>
    <message>
        <location filename="../app.py" line="113"/>
        <source>Captioning</source>
        <translation>正在生成字幕</translation>
    </message>
    <message>
        <location filename="../app.py" line="114"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../app.py" line="120"/>
        <source>Get a speech model…</source>
        <translation>获取语音模型…</translation>
    </message>
    <message>
        <location filename="../app.py" line="169"/>
        <source>No speech model yet</source>
        <translation>还没有语音模型</translation>
    </message>
    <message>
        <location filename="../app.py" line="193"/>
        <source>No speech model is on this computer yet: captions start once one is downloaded or chosen.</source>
        <translation>这台计算机上还没有语音模型：下载或选择模型后即可开始字幕。</translation>
    </message>
    <message>
        <location filename="../app.py" line="305"/>
        <source>The new model is loading; the captions running now keep the old one until you stop and start them again.</source>
        <translation>新模型正在加载；当前的字幕会继续使用旧模型，直到你停止并重新开始。</translation>
    </message>
    <message>
        <location filename="../app.py" line="318"/>
        <source>The new language applies from the next start of the app.</source>
        <translation>新的界面语言将在下次启动应用时生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="320"/>
        <source>The new live-caption settings apply from the next start.</source>
        <translation>新的实时字幕设置将在下次开始时生效。</translation>
    </message>
    <message>
        <location filename="../app.py" line="344"/>
        <source>Live Captions: {}</source>
        <translation>实时字幕：{}</translation>
    </message>
</context>
<context>
    <name>EmbeddedApi</name>
    <message>
        <location filename="../api_server.py" line="67"/>
        <source>The local API is not part of this installation ({}).</source>
        <translation>此安装不包含本地 API（{}）。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="70"/>
        <source>API unavailable</source>
        <translation>API 不可用</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="83"/>
        <source>The local API could not start: {}. Choose another port in Settings.</source>
        <translation>本地 API 无法启动：{}。请在设置中选择其他端口。</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="87"/>
        <source>API off</source>
        <translation>API 已关闭</translation>
    </message>
    <message>
        <location filename="../api_server.py" line="89"/>
        <source>API on {}</source>
        <translation>API 运行于 {}</translation>
    </message>
</context>
<context>
    <name>EngineMessages</name>
    <message>
        <location filename="../messages.py" line="21"/>
        <source>The hub at {endpoint} cannot be reached (no network, or it is blocked here). Connect and try again, or choose a mirror under “{download_from}” ({mirror} works from mainland China), {otherwise}</source>
        <translation>无法连接到 {endpoint} 上的模型仓库（没有网络，或在此处被屏蔽）。请联网后重试，或在“{download_from}”中选择镜像（{mirror} 在中国大陆可用），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="26"/>
        <source>The hub at {endpoint} answered with an error ({status}); it may be down for a while. Try again later, or choose a mirror under “{download_from}” ({mirror} works from mainland China), {otherwise}</source>
        <translation>{endpoint} 上的模型仓库返回错误（{status}），可能暂时无法使用。请稍后重试，或在“{download_from}”中选择镜像（{mirror} 在中国大陆可用），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="31"/>
        <source>The model {repo} was not found on {endpoint}. Check its name, {otherwise}</source>
        <translation>在 {endpoint} 上找不到模型 {repo}。请检查名称，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="34"/>
        <source>The model {repo} needs a Hugging Face login and its licence accepted. Download it once with “hf download {repo}”, {otherwise}</source>
        <translation>模型 {repo} 需要登录 Hugging Face 并接受其许可协议。请先用“hf download {repo}”下载一次，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="38"/>
        <source>The model {repo} is not on this computer and downloads are switched off (HF_HUB_OFFLINE is set). Unset it to download, {otherwise}</source>
        <translation>模型 {repo} 不在这台电脑上，且下载已关闭（设置了 HF_HUB_OFFLINE）。取消该设置即可下载，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="42"/>
        <source>The disk is full: the model {repo} cannot be saved in {folder}. Free some space, or set HF_HOME to a folder on a disk with room, and try again.</source>
        <translation>磁盘已满：无法将模型 {repo} 保存到 {folder}。请释放一些空间，或将 HF_HOME 设为空间充足的磁盘上的文件夹，然后重试。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="46"/>
        <source>The model {repo} could not be downloaded from {endpoint} ({reason}). Try again (what was downloaded is kept), {otherwise}</source>
        <translation>无法从 {endpoint} 下载模型 {repo}（{reason}）。请重试（已下载的部分会保留），{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="50"/>
        <source>{repo} is a {what} model, not a CTC speech recogniser. Choose another model, {otherwise}</source>
        <translation>{repo} 是 {what} 模型，不是 CTC 语音识别模型。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="54"/>
        <source>The model {repo} is not downloaded yet, and downloads are off. Download it once with a network connection, {otherwise}</source>
        <translation>模型 {repo} 尚未下载，且下载已关闭。请在联网时下载一次，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="58"/>
        <source>The bundled demo model is missing from this installation: install the app again.</source>
        <translation>此安装中缺少自带的演示模型：请重新安装本应用。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="61"/>
        <source>The folder {folder} is not a model: it has no config.json. Choose a folder with a CTC speech model (config.json, weights and processor files), {otherwise}</source>
        <translation>文件夹 {folder} 不是模型：其中没有 config.json。请选择包含 CTC 语音模型（config.json、权重和处理器文件）的文件夹，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="65"/>
        <source>The model folder {folder} does not exist. Choose another folder, {otherwise}</source>
        <translation>模型文件夹 {folder} 不存在。请选择其他文件夹，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="68"/>
        <source>{folder} is a file, not a model folder. Choose the folder that holds the model, {otherwise}</source>
        <translation>{folder} 是一个文件，不是模型文件夹。请选择存放模型的文件夹，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="72"/>
        <source>The configuration (config.json) of {repo} cannot be read ({reason}). Choose another model, {otherwise}</source>
        <translation>无法读取 {repo} 的配置（config.json）（{reason}）。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="76"/>
        <source>The tokenizer and feature extractor of {repo} cannot be read ({reason}). Choose another model, {otherwise}</source>
        <translation>无法读取 {repo} 的分词器和特征提取器（{reason}）。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="80"/>
        <source>The feature extractor of {repo} needs a package that is not installed ({reason}). Choose another model, {otherwise}</source>
        <translation>{repo} 的特征提取器需要一个未安装的软件包（{reason}）。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="84"/>
        <source>{repo} expects audio at {rate} Hz; only models for {supported} Hz audio work here. Choose another model, {otherwise}</source>
        <translation>{repo} 需要 {rate} Hz 的音频；这里只能使用 {supported} Hz 音频的模型。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="88"/>
        <source>The frame length of {what} models cannot be computed: this kind of model is not supported yet. Choose another model, {otherwise}</source>
        <translation>无法计算 {what} 模型的帧长：暂不支持这类模型。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="92"/>
        <source>The model {repo} cannot be built ({reason}). Choose another model, {otherwise}</source>
        <translation>无法构建模型 {repo}（{reason}）。请选择其他模型，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="95"/>
        <source>The weights of {repo} cannot be loaded ({reason}). If it was downloaded, delete it from the cache and download it again, {otherwise}</source>
        <translation>无法加载 {repo} 的权重（{reason}）。如果它是下载的，请从缓存中删除后重新下载，{otherwise}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="99"/>
        <source>A GPU (CUDA) was chosen but none can be used here (no NVIDIA GPU or driver, or a PyTorch without CUDA). Choose “CPU” or “Automatic” as the device in Settings.</source>
        <translation>选择了 GPU（CUDA），但这里没有可用的 GPU（没有 NVIDIA 显卡或驱动，或 PyTorch 不支持 CUDA）。请在设置中将设备改为“CPU”或“自动”。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="103"/>
        <source>int8 runs on the CPU only: choose the CPU as the device, or another precision.</source>
        <translation>int8 只能在 CPU 上运行：请将设备选为 CPU，或选择其他精度。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="106"/>
        <source>ONNX Runtime runs on the CPU in {dtypes}, not {dtype} on {device}: choose PyTorch for that.</source>
        <translation>ONNX Runtime 只能在 CPU 上以 {dtypes} 运行，不支持 {device} 上的 {dtype}：这种情况请选择 PyTorch。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="112"/>
        <source>or use a model folder on this computer, or the demo model.</source>
        <translation>或使用这台电脑上的模型文件夹，或演示模型。</translation>
    </message>
    <message>
        <location filename="../messages.py" line="115"/>
        <source>demo model (understands synthetic voices only)</source>
        <translation>演示模型（只能识别合成语音）</translation>
    </message>
    <message>
        <location filename="../messages.py" line="119"/>
        <source>{0} on {1} ({2}, {3})</source>
        <translation>{0}，运行于 {1}（{2}，{3}）</translation>
    </message>
    <message>
        <location filename="../messages.py" line="122"/>
        <source>{0} M parameters, about {1}</source>
        <translation>{0} M 参数，约 {1}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="125"/>
        <source>error rates: see the model card</source>
        <translation>错误率：请参阅模型卡片</translation>
    </message>
    <message>
        <location filename="../messages.py" line="128"/>
        <source>CPU cost {0}x the default model&apos;s</source>
        <translation>CPU 开销为默认模型的 {0} 倍</translation>
    </message>
    <message>
        <location filename="../messages.py" line="132"/>
        <source>Download from</source>
        <translation>下载来源</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <location filename="../worker.py" line="84"/>
        <source>The language model cannot be used ({}); captions run without it.</source>
        <translation>无法使用语言模型（{}）；字幕将在不使用它的情况下运行。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="111"/>
        <source>The engine is busy: {}.</source>
        <translation>识别引擎繁忙：{}。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="141"/>
        <source>The input device delivered invalid samples (NaN or infinity); they are treated as silence.</source>
        <translation>输入设备送来了无效的采样值（NaN 或无穷大），已按静音处理。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="170"/>
        <source>The engine did not finish the last words in time; they are lost.</source>
        <translation>识别引擎未能及时处理最后的内容，这部分已丢失。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="103"/>
        <location filename="../worker.py" line="179"/>
        <source>Captioning stopped: {}.</source>
        <translation>字幕已停止：{}。</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <location filename="../widgets/export.py" line="14"/>
        <source>Plain text (*.txt)</source>
        <translation>纯文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="15"/>
        <source>SubRip subtitles (*.srt)</source>
        <translation>SubRip 字幕 (*.srt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="16"/>
        <source>WebVTT subtitles (*.vtt)</source>
        <translation>WebVTT 字幕 (*.vtt)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="17"/>
        <source>JSON with word times (*.json)</source>
        <translation>带时间戳的 JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="49"/>
        <source>Save transcript</source>
        <translation>保存文字记录</translation>
    </message>
    <message>
        <location filename="../widgets/export.py" line="58"/>
        <source>The transcript could not be saved: {}</source>
        <translation>无法保存文字记录：{}</translation>
    </message>
</context>
<context>
    <name>FileTranscriber</name>
    <message>
        <location filename="../widgets/file_panel.py" line="133"/>
        <source>no translation: {}</source>
        <translation>没有翻译：{}</translation>
    </message>
</context>
<context>
    <name>FileTranscription</name>
    <message>
        <location filename="../widgets/file_panel.py" line="43"/>
        <source>Audio and video</source>
        <translation>音频和视频</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="44"/>
        <source>All files</source>
        <translation>所有文件</translation>
    </message>
</context>
<context>
    <name>FileTranscriptionDialog</name>
    <message>
        <location filename="../widgets/file_panel.py" line="161"/>
        <source>Transcribe {}</source>
        <translation>转写 {}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="163"/>
        <source>Transcribing {}…</source>
        <translation>正在转写 {}…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="168"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="171"/>
        <source>The transcript appears here when the file is done.</source>
        <translation>文件转写完成后，文字记录会显示在这里。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="173"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="174"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="216"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="226"/>
        <source>Transcript saved: {}</source>
        <translation>文字记录已保存：{}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="235"/>
        <source>%p%  ({0} of {1} s)</source>
        <translation>%p%（{0} / {1} 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="245"/>
        <source>Note: {}.</source>
        <translation>注意：{}。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="247"/>
        <source>Done: {0}, {1} s of audio, {2} captions.</source>
        <translation>完成：{0}，音频 {1} 秒，共 {2} 条字幕。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="259"/>
        <source>Could not transcribe: {}</source>
        <translation>无法转写：{}</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="266"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="272"/>
        <source>Cancelled after {0} s of {1} s.</source>
        <translation>已在 {1} 秒中的第 {0} 秒处取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="274"/>
        <source>Cancelled after {0} s.</source>
        <translation>已在第 {0} 秒处取消。</translation>
    </message>
    <message>
        <location filename="../widgets/file_panel.py" line="276"/>
        <source>The part done is below: Export… saves it with its timestamps.</source>
        <translation>已完成的部分显示在下方：“导出…”可将其连同时间戳一起保存。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../widgets/first_run.py" line="77"/>
        <source>Live Captions: get a speech model</source>
        <translation>实时字幕：获取语音模型</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="88"/>
        <source>&lt;b&gt;Live Captions needs a speech model.&lt;/b&gt;&lt;br&gt;It is downloaded once; then everything runs on this computer, without network.</source>
        <translation>&lt;b&gt;实时字幕需要一个语音模型。&lt;/b&gt;&lt;br&gt;只需下载一次；之后一切都在这台计算机上运行，无需联网。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="103"/>
        <source>A Hugging Face id of a CTC speech model</source>
        <translation>CTC 语音模型的 Hugging Face ID</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="109"/>
        <source>Where models come from: the Hugging Face hub, or a mirror of it such as {} (reachable from mainland China)</source>
        <translation>模型的下载来源：Hugging Face Hub，或其镜像，例如 {}（在中国大陆可访问）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="116"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="117"/>
        <source>{0}:</source>
        <translation>{0}：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="124"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="126"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="128"/>
        <source>Use a model folder…</source>
        <translation>使用模型文件夹…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="129"/>
        <source>Try the demo model (synthetic voices only)</source>
        <translation>试用演示模型（仅限合成语音）</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="149"/>
        <source>Or:</source>
        <translation>或者：</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="181"/>
        <source>Asking {} about the model…</source>
        <translation>正在向 {} 查询模型信息…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="196"/>
        <source>{0}, from {1}, into {2}</source>
        <translation>{0}，来自 {1}，保存到 {2}</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="229"/>
        <source>Starting the download…</source>
        <translation>正在开始下载…</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="269"/>
        <source>Download cancelled. Nothing half-downloaded is used, but what arrived is kept: downloading again goes on from there.</source>
        <translation>下载已取消。未下载完的文件不会被使用，但已收到的数据会保留：再次下载时从中断处继续。</translation>
    </message>
    <message>
        <location filename="../widgets/first_run.py" line="283"/>
        <source>Folder with a CTC speech model</source>
        <translation>包含 CTC 语音模型的文件夹</translation>
    </message>
</context>
<context>
    <name>InputPicker</name>
    <message>
        <location filename="../widgets/inputs.py" line="46"/>
        <source>Caption a second input at once, for example your microphone and the computer&apos;s audio in a call: each line shows whose it is.</source>
        <translation>同时为第二个输入生成字幕，例如通话中的麦克风和电脑音频：每行都标明说话的一方。</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="55"/>
        <source>The label shown before this input&apos;s lines</source>
        <translation>显示在此输入每行字幕前的标签</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="66"/>
        <source>System default input</source>
        <translation>系统默认输入</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="67"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="80"/>
        <source>Inputs with a speaker icon record what the computer plays.</source>
        <translation>带扬声器图标的输入录制电脑正在播放的声音。</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="109"/>
        <source>System audio: {}</source>
        <translation>系统音频：{}</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="152"/>
        <source>Others</source>
        <translation>对方</translation>
    </message>
    <message>
        <location filename="../widgets/inputs.py" line="152"/>
        <source>You</source>
        <translation>我</translation>
    </message>
</context>
<context>
    <name>LanguageModelGroup</name>
    <message>
        <location filename="../widgets/lm_group.py" line="32"/>
        <source>Language model and custom words</source>
        <translation>语言模型和自定义词</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="36"/>
        <source>Decode with a language model: fewer word errors; final words come about half a second later</source>
        <translation>使用语言模型解码：词错误更少；最终文字约晚半秒出现</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="42"/>
        <source>The model&apos;s own, if it has one (the demo model has)</source>
        <translation>模型自带的（如果有；演示模型有）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="45"/>
        <source>A word n-gram model: an ARPA file, a KenLM binary (with unigrams.txt beside it), a language_model folder, or &apos;demo&apos; for the demo model&apos;s own</source>
        <translation>词 n 元语法模型：ARPA 文件、KenLM 二进制文件（旁边需有 unigrams.txt）、language_model 文件夹，或 “demo” 表示演示模型自带的模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="49"/>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="54"/>
        <source>Language model:</source>
        <translation>语言模型：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="59"/>
        <source>Own weights:</source>
        <translation>自定义权重：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="61"/>
        <source>Otherwise the language model&apos;s own (attrs.json) or the measured defaults</source>
        <translation>否则使用语言模型自带的权重（attrs.json）或实测的默认值</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="69"/>
        <source>LM weight</source>
        <translation>语言模型权重</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="71"/>
        <source>word bonus</source>
        <translation>词奖励</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="77"/>
        <source>Names, places, jargon: one word or phrase per line</source>
        <translation>人名、地名、术语：每行一个词或短语</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="81"/>
        <source>Favoured by the decoder, with or without a language model</source>
        <translation>解码器会优先考虑这些词，无论是否使用语言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="83"/>
        <source>Custom words:</source>
        <translation>自定义词：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="86"/>
        <source>How strongly custom words are favoured (a log-probability bonus per word)</source>
        <translation>自定义词的优先程度（每个词的对数概率奖励）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="88"/>
        <source>Custom word boost:</source>
        <translation>自定义词加权：</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="135"/>
        <source>The demo model&apos;s own language model</source>
        <translation>演示模型自带的语言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="138"/>
        <source>{} words known ({})</source>
        <translation>已知 {} 个词（{}）</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="146"/>
        <source>Language model</source>
        <translation>语言模型</translation>
    </message>
    <message>
        <location filename="../widgets/lm_group.py" line="148"/>
        <source>Language models (*.arpa *.bin *.binary);;All files (*)</source>
        <translation>语言模型 (*.arpa *.bin *.binary);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../widgets/indicators.py" line="26"/>
        <source>Input level</source>
        <translation>输入音量</translation>
    </message>
</context>
<context>
    <name>LiveSession</name>
    <message>
        <location filename="../session.py" line="198"/>
        <source>No speech model is loaded yet; captions can start once it is.</source>
        <translation>尚未加载语音模型；加载完成后即可开始字幕。</translation>
    </message>
    <message>
        <location filename="../session.py" line="312"/>
        <source>{0}: {1} The other input&apos;s captions go on.</source>
        <translation>{0}：{1} 另一个输入的字幕继续。</translation>
    </message>
    <message>
        <location filename="../session.py" line="328"/>
        <source>The input “{0}” is gone: PulseAudio now records “{1}” instead. Choose the input again, or stop the captions.</source>
        <translation>输入“{0}”已不存在：PulseAudio 现在改为录制“{1}”。请重新选择输入，或停止字幕。</translation>
    </message>
    <message>
        <location filename="../session.py" line="351"/>
        <source>{0} stopped; the other input&apos;s captions go on.</source>
        <translation>{0} 已停止；另一个输入的字幕继续。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../widgets/main_window.py" line="87"/>
        <source>Live Captions</source>
        <translation>实时字幕</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="120"/>
        <location filename="../widgets/main_window.py" line="417"/>
        <source>&amp;Start captions</source>
        <translation>开始字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="123"/>
        <source>&amp;Open audio or video file…</source>
        <translation>打开音频或视频文件(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="126"/>
        <source>&amp;Save transcript as…</source>
        <translation>文字记录另存为(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="128"/>
        <source>&amp;Copy transcript</source>
        <translation>复制文字记录(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="129"/>
        <source>C&amp;lear transcript</source>
        <translation>清除文字记录(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="131"/>
        <source>Open &amp;transcripts folder</source>
        <translation>打开文字记录文件夹(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="134"/>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="138"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="140"/>
        <source>Show caption &amp;overlay</source>
        <translation>显示字幕浮窗(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="146"/>
        <source>&amp;Lock overlay (click-through)</source>
        <translation>锁定浮窗（鼠标穿透）(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="156"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="167"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="169"/>
        <source>&amp;Captions</source>
        <translation>字幕(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="174"/>
        <location filename="../widgets/main_window.py" line="416"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="186"/>
        <source>List the audio inputs again</source>
        <translation>重新列出音频输入</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="191"/>
        <source>Input:</source>
        <translation>输入：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="197"/>
        <location filename="../widgets/main_window.py" line="201"/>
        <source>Label:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="199"/>
        <source>Second input:</source>
        <translation>第二个输入：</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="214"/>
        <location filename="../widgets/main_window.py" line="306"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="219"/>
        <source>How far the final captions are behind the audio</source>
        <translation>最终字幕落后于音频的时间</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="223"/>
        <source>Audio blocks lost: the computer could not keep up, or the sound device dropped audio</source>
        <translation>丢失的音频块：计算机处理不及，或声音设备丢失了音频</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="233"/>
        <source>Stop loading the punctuation or translation model</source>
        <translation>停止加载标点或翻译模型</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="263"/>
        <source>Start or stop live captions</source>
        <translation>开始或停止实时字幕</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="276"/>
        <source>Model: {}</source>
        <translation>模型：{}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="353"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="370"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="371"/>
        <source>&amp;Stop captions</source>
        <translation>停止字幕(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="398"/>
        <source>Lag {} s</source>
        <translation>延迟 {} 秒</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="410"/>
        <source>Dropped audio: {} blocks</source>
        <translation>丢失音频：{} 块</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="437"/>
        <source>Transcript saved as {} (File &gt; Open transcripts folder)</source>
        <translation>文字记录已保存为 {}（文件 &gt; 打开文字记录文件夹）</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="452"/>
        <source>Transcript saved: {}</source>
        <translation>文字记录已保存：{}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="465"/>
        <source>No file manager could open the folder. The transcripts are in {}</source>
        <translation>没有文件管理器能打开该文件夹。字幕记录保存在 {}</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="488"/>
        <source>Transcribe a file</source>
        <translation>转写文件</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="496"/>
        <source>No speech model is loaded yet; files can be transcribed once it is.</source>
        <translation>尚未加载语音模型；加载完成后即可转写文件。</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="557"/>
        <source>Quitting once the last translations are in the transcript ({0} left). Quit again to quit at once.</source>
        <translation>最后几句的翻译写入记录后即退出（还剩 {0} 句）。再次退出可立即退出。</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../widgets/indicators.py" line="45"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>PunctuationGroup</name>
    <message>
        <location filename="../widgets/text_groups.py" line="40"/>
        <source>Punctuation</source>
        <translation>标点</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="43"/>
        <source>Punctuate and capitalise the captions (a final word shows a moment later)</source>
        <translation>为字幕加标点和大小写（确定的词会稍晚一点显示）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="47"/>
        <source>Automatic: the model for the speech language</source>
        <translation>自动：与语音语言相配的模型</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="50"/>
        <source>A token-classification punctuation model: a Hugging Face id (downloaded once), a folder, or &apos;demo&apos; for the demo model&apos;s own</source>
        <translation>词元分类标点模型：Hugging Face 模型 ID（只下载一次）、本地文件夹，或 &apos;demo&apos;（演示模型自带的）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="54"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="50"/>
        <source>Low latency (about 0.5 s behind)</source>
        <translation>低延迟（约落后 0.5 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="51"/>
        <source>Balanced (about 1 s behind)</source>
        <translation>均衡（约落后 1 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="52"/>
        <source>Accurate (about 2 s behind)</source>
        <translation>准确（约落后 2 秒）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="55"/>
        <source>Automatic (CUDA when available)</source>
        <translation>自动（有 CUDA 时使用）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="56"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="57"/>
        <source>CUDA (NVIDIA GPU)</source>
        <translation>CUDA（NVIDIA 显卡）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="60"/>
        <source>As the model writes them</source>
        <translation>保持模型输出</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="61"/>
        <source>Simplified (简体)</source>
        <translation>简体</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="62"/>
        <source>Traditional (繁體)</source>
        <translation>繁体（繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="63"/>
        <source>Traditional, Taiwan (臺灣正體)</source>
        <translation>繁体，台湾（臺灣正體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="64"/>
        <source>Traditional, Hong Kong (香港繁體)</source>
        <translation>繁体，香港（香港繁體）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="68"/>
        <source>Automatic (ONNX Runtime on the CPU, PyTorch on CUDA)</source>
        <translation>自动（CPU 上用 ONNX Runtime，CUDA 上用 PyTorch）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="70"/>
        <source>ONNX Runtime (CPU only)</source>
        <translation>ONNX Runtime（仅 CPU）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="71"/>
        <source>PyTorch</source>
        <translation>PyTorch</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="74"/>
        <source>The label before each line</source>
        <translation>每行前显示标签</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="75"/>
        <source>A colour for each input</source>
        <translation>每个输入一种颜色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="76"/>
        <source>The label and a colour</source>
        <translation>标签和颜色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="123"/>
        <source>Live Captions settings</source>
        <translation>实时字幕设置</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="159"/>
        <source>Speech recognition</source>
        <translation>语音识别</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="170"/>
        <source>A Hugging Face model id (downloaded once, then cached), a local folder with a Wav2Vec2ForCTC checkpoint, or &apos;demo&apos; for the bundled demo model.</source>
        <translation>Hugging Face 模型 ID（下载一次后缓存）、包含 Wav2Vec2ForCTC 检查点的本地文件夹，或内置演示模型 “demo”。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="174"/>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="179"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="188"/>
        <source>Automatic (HF_ENDPOINT if set, else huggingface.co)</source>
        <translation>自动（若设置了 HF_ENDPOINT 则使用它，否则使用 huggingface.co）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="192"/>
        <source>Where models are downloaded from: the Hugging Face hub or a mirror of it, such as {} (reachable from mainland China)</source>
        <translation>模型的下载来源：Hugging Face Hub 或其镜像，例如 {}（在中国大陆可访问）</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="196"/>
        <source>Download from:</source>
        <translation>下载来源：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="200"/>
        <source>Runs on:</source>
        <translation>运行于：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="206"/>
        <source>ONNX Runtime labels frames exactly as PyTorch does; a model is prepared for it once (a minute or more) on first use.</source>
        <translation>ONNX Runtime 给出的帧标签与 PyTorch 完全相同；模型首次使用时需为其准备一次（一分钟或更久）。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="210"/>
        <source>Engine:</source>
        <translation>推理引擎：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="211"/>
        <source>Power saving</source>
        <translation>省电模式</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="214"/>
        <source>Uses less processor time: smaller weights (words may differ a little), captions up to a second later, and partial text once every two seconds</source>
        <translation>占用更少的处理器时间：较小的权重（文字可能略有不同），字幕最多晚一秒，临时文字每两秒更新一次</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="223"/>
        <source>Live captions:</source>
        <translation>实时字幕：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="224"/>
        <source>Steady partial text</source>
        <translation>稳定的临时文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="227"/>
        <source>Steady partial text: a word shows about half a second later, but rarely changes once shown</source>
        <translation>稳定的临时文字：文字约晚半秒显示，但显示后很少改变</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="234"/>
        <source>List every host API&apos;s entry for each input (MME, DirectSound, WDM-KS), not only WASAPI&apos;s</source>
        <translation>列出每个输入在所有主机 API（MME、DirectSound、WDM-KS）下的条目，而不仅是 WASAPI 的</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="240"/>
        <source>On Windows each microphone is listed once, through WASAPI. An entry through another host API can help with an old driver.</source>
        <translation>在 Windows 上，每个麦克风只通过 WASAPI 列出一次。通过其他主机 API 的条目可能有助于旧驱动程序。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="245"/>
        <source>Inputs:</source>
        <translation>输入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="253"/>
        <source>Write Chinese captions and transcripts in simplified or traditional characters, whichever the model writes</source>
        <translation>无论模型输出哪种字形，都以简体或繁体显示中文字幕和文字记录</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="257"/>
        <source>Chinese characters:</source>
        <translation>中文字形：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="261"/>
        <source>Audio inputs</source>
        <translation>音频输入</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="264"/>
        <source>Input:</source>
        <translation>输入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="265"/>
        <source>Second input:</source>
        <translation>第二个输入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="269"/>
        <source>Label:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="275"/>
        <source>Caption overlay</source>
        <translation>字幕浮窗</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="282"/>
        <source>Font:</source>
        <translation>字体：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="284"/>
        <source>Lines:</source>
        <translation>行数：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="290"/>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="291"/>
        <source>Unfinal</source>
        <translation>临时文字</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="292"/>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="297"/>
        <source>Colours:</source>
        <translation>颜色：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="299"/>
        <source>Opacity of the background: 0 invisible, 1 solid</source>
        <translation>背景不透明度：0 为透明，1 为不透明</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="300"/>
        <source>Background opacity:</source>
        <translation>背景不透明度：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="306"/>
        <source>With two inputs, how the overlay shows whose each line is</source>
        <translation>有两个输入时，字幕浮窗如何标明每行字幕来自哪一方</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="309"/>
        <source>The first input&apos;s colour</source>
        <translation>第一个输入的颜色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="310"/>
        <source>The second input&apos;s colour</source>
        <translation>第二个输入的颜色</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="315"/>
        <source>Two inputs:</source>
        <translation>两个输入：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="319"/>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="324"/>
        <source>The language of the app; applies from the next start</source>
        <translation>应用的界面语言；下次启动时生效</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="325"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="329"/>
        <source>The key that starts and stops live captions</source>
        <translation>开始和停止实时字幕的按键</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="330"/>
        <source>Start/stop key:</source>
        <translation>开始/停止按键：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="334"/>
        <source>Local speech API</source>
        <translation>本地语音 API</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="337"/>
        <source>Serve the loaded model to other programs over HTTP and WebSocket</source>
        <translation>通过 HTTP 和 WebSocket 向其他程序提供已加载的模型</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="341"/>
        <source>none: any program on this computer may connect</source>
        <translation>留空：本机任何程序都可以连接</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="343"/>
        <source>Port (localhost):</source>
        <translation>端口（本机）：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="344"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="346"/>
        <source>The API is not part of this installation.</source>
        <translation>此安装不包含 API。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="478"/>
        <source>Not in the catalogue: any CTC speech model (hub id or folder) works.</source>
        <translation>不在目录中：任何 CTC 语音模型（模型仓库 ID 或文件夹）都可以使用。</translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="482"/>
        <source>Folder with a CTC speech model</source>
        <translation>包含 CTC 语音模型的文件夹</translation>
    </message>
    <message>
        <location filename="../language.py" line="21"/>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../widgets/transcript_view.py" line="42"/>
        <source>Press Start to caption the selected input, or open or drop an audio or video file to transcribe it.</source>
        <translation>按“开始”为所选输入生成字幕，或打开、拖入音频或视频文件进行转写。</translation>
    </message>
</context>
<context>
    <name>TranslationGroup</name>
    <message>
        <location filename="../widgets/text_groups.py" line="25"/>
        <source>Chinese (zh)</source>
        <translation>中文 (zh)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="26"/>
        <source>English (en)</source>
        <translation>英语 (en)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="27"/>
        <source>German (de)</source>
        <translation>德语 (de)</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="30"/>
        <source>Under the captions</source>
        <translation>在字幕下方</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="31"/>
        <source>Instead of the captions</source>
        <translation>代替字幕</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="77"/>
        <source>Translation</source>
        <translation>翻译</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="80"/>
        <source>Translate each sentence on this computer (the model is downloaded once)</source>
        <translation>在本机翻译每个句子（模型只下载一次）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="86"/>
        <source>The language to translate into (an ISO 639-1 code)</source>
        <translation>译入的语言（ISO 639-1 代码）</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="87"/>
        <source>Into:</source>
        <translation>译为：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="98"/>
        <source>Automatic: the catalogue&apos;s model for the two languages</source>
        <translation>自动：目录中这两种语言的模型</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="101"/>
        <source>A MarianMT (OPUS-MT) model: a Hugging Face id or a local folder</source>
        <translation>MarianMT (OPUS-MT) 模型：Hugging Face 模型 ID 或本地文件夹</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="103"/>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="108"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="117"/>
        <source>In the overlay:</source>
        <translation>悬浮字幕中：</translation>
    </message>
    <message>
        <location filename="../widgets/text_groups.py" line="172"/>
        <source>Folder with a MarianMT model</source>
        <translation>含 MarianMT 模型的文件夹</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../widgets/tray.py" line="18"/>
        <source>Live Captions</source>
        <translation>实时字幕</translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="20"/>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
</context>
<context>
    <name>_LoadJob</name>
    <message>
        <location filename="../model_loader.py" line="41"/>
        <source>Loading {}…</source>
        <translation>正在加载 {}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="54"/>
        <source>Loading the demo model…</source>
        <translation>正在加载演示模型…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="60"/>
        <source>The demo model cannot be used either: {}</source>
        <translation>演示模型也无法使用：{}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="64"/>
        <source>The model &apos;{0}&apos; could not be loaded, so the demo model is in use; it understands synthetic voices only. {1} Choose the model in Settings.</source>
        <translation>无法加载模型“{0}”，现正使用演示模型；它只能识别合成语音。{1} 请在设置中选择模型。</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="70"/>
        <source>Downloading {0}: {1}</source>
        <translation>正在下载 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="75"/>
        <source>Preparing the model for ONNX Runtime (once): {what}…</source>
        <translation>正在为 ONNX Runtime 准备模型（仅一次）：{what}…</translation>
    </message>
    <message>
        <location filename="../model_loader.py" line="82"/>
        <source>Open Settings to choose another model (a Hugging Face id or a local folder) or the compute device, then load it again. Until then captions and file transcription are unavailable.</source>
        <translation>请打开设置，选择其他模型（Hugging Face ID 或本地文件夹）或计算设备，然后重新加载。在此之前无法使用字幕和文件转写。</translation>
    </message>
</context>
<context>
    <name>_TextJob</name>
    <message>
        <location filename="../text_models.py" line="79"/>
        <source>Loading the punctuation model {}…</source>
        <translation>正在加载标点模型 {}…</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="87"/>
        <source>Captions come without punctuation: the punctuation model {0} is not on this computer and cannot be downloaded now (no network, or downloads are off). Connect and open Settings &gt; OK to try again, or switch punctuation off there.</source>
        <translation>字幕暂无标点：标点模型 {0} 不在本机，现在也无法下载（没有网络，或已关闭下载）。请联网后打开“设置”并点“确定”重试，或在那里关闭标点。</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="92"/>
        <source>Captions come without punctuation: {0}</source>
        <translation>字幕暂无标点：{0}</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="101"/>
        <source>Loading the translation model ({})…</source>
        <translation>正在加载翻译模型（{}）…</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="112"/>
        <source>Captions come without translation: the translation model {0} is not on this computer and cannot be downloaded now (no network, or downloads are off). Connect and open Settings &gt; OK to try again.</source>
        <translation>字幕暂无翻译：翻译模型 {0} 不在本机，现在也无法下载（没有网络，或已关闭下载）。请联网后打开“设置”并点“确定”重试。</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="116"/>
        <source>Captions come without translation: {0}</source>
        <translation>字幕暂无翻译：{0}</translation>
    </message>
    <message>
        <location filename="../text_models.py" line="121"/>
        <source>Downloading {0}: {1}</source>
        <translation>正在下载 {0}：{1}</translation>
    </message>
</context>
</TS>
