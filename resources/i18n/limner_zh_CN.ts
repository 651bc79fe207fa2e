<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About limner</source>
        <translation>关于 limner</translation>
    </message>
    <message>
        <source>Image labeling: boxes, polygons, masks and skeletons, offline first, synced with annotation servers.</source>
        <translation>图像标注：矩形框、多边形、掩码和骨架，离线优先，可与标注服务器同步。</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
</context>
<context>
    <name>Actions</name>
    <message>
        <source>{action} {detail}</source>
        <translation>{action}“{detail}”</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>审核(&amp;R)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>New project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>A project from a folder of images</source>
        <translation>用一个图像文件夹新建项目</translation>
    </message>
    <message>
        <source>Open project…</source>
        <translation>打开项目…</translation>
    </message>
    <message>
        <source>Open a project folder</source>
        <translation>打开一个项目文件夹</translation>
    </message>
    <message>
        <source>Clone from server…</source>
        <translation>从服务器克隆…</translation>
    </message>
    <message>
        <source>A new project from a project on a server</source>
        <translation>用服务器上的项目新建项目</translation>
    </message>
    <message>
        <source>Close project</source>
        <translation>关闭项目</translation>
    </message>
    <message>
        <source>Close this project and show the start page</source>
        <translation>关闭此项目并显示起始页</translation>
    </message>
    <message>
        <source>Add images…</source>
        <translation>添加图像…</translation>
    </message>
    <message>
        <source>Add image files</source>
        <translation>添加图像文件</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Add a folder of images</source>
        <translation>添加一个图像文件夹</translation>
    </message>
    <message>
        <source>Import annotations…</source>
        <translation>导入标注…</translation>
    </message>
    <message>
        <source>Import COCO, YOLO, Pascal VOC, labelme or CVAT annotations</source>
        <translation>导入 COCO、YOLO、Pascal VOC、labelme 或 CVAT 标注</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Export annotations to COCO, YOLO, Pascal VOC, labelme or CVAT</source>
        <translation>将标注导出为 COCO、YOLO、Pascal VOC、labelme 或 CVAT</translation>
    </message>
    <message>
        <source>Connect to server…</source>
        <translation>连接服务器…</translation>
    </message>
    <message>
        <source>Sync with a server</source>
        <translation>与服务器同步</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Synchronize with the server</source>
        <translation>与服务器同步</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo the last edit</source>
        <translation>撤销上一次编辑</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the selection</source>
        <translation>复制所选内容</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Paste on this image</source>
        <translation>粘贴到此图像</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>创建副本</translation>
    </message>
    <message>
        <source>Duplicate the selection</source>
        <translation>为所选内容创建副本</translation>
    </message>
    <message>
        <source>Paste into next image</source>
        <translation>粘贴到下一张图像</translation>
    </message>
    <message>
        <source>Copy the selection onto the next image</source>
        <translation>将所选内容复制到下一张图像</translation>
    </message>
    <message>
        <source>Bring to front</source>
        <translation>置于顶层</translation>
    </message>
    <message>
        <source>Send to back</source>
        <translation>置于底层</translation>
    </message>
    <message>
        <source>Hide/show selection</source>
        <translation>隐藏/显示所选</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <source>Lock/unlock selection</source>
        <translation>锁定/解锁所选</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>编组</translation>
    </message>
    <message>
        <source>Make the selected shapes one object: they move, copy and delete together</source>
        <translation>将所选形状合为一个对象：一起移动、复制和删除</translation>
    </message>
    <message>
        <source>Ungroup</source>
        <translation>取消编组</translation>
    </message>
    <message>
        <source>Dissolve the groups of the selection</source>
        <translation>解散所选内容的编组</translation>
    </message>
    <message>
        <source>Polygons to mask</source>
        <translation>多边形转掩码</translation>
    </message>
    <message>
        <source>Fill the selected polygons into masks</source>
        <translation>将所选多边形填充为掩码</translation>
    </message>
    <message>
        <source>Masks to polygons</source>
        <translation>掩码转多边形</translation>
    </message>
    <message>
        <source>Trace the selected masks (holes and parts kept)</source>
        <translation>描出所选掩码的轮廓（保留孔洞和分块）</translation>
    </message>
    <message>
        <source>Boxes to polygons</source>
        <translation>矩形框转多边形</translation>
    </message>
    <message>
        <source>Each selected box (rotated or not) becomes its four corners</source>
        <translation>每个所选矩形框（无论是否旋转）变为其四个角点</translation>
    </message>
    <message>
        <source>Polygons to rotated boxes</source>
        <translation>多边形转旋转框</translation>
    </message>
    <message>
        <source>Each selected polygon becomes the smallest rotated box around it</source>
        <translation>每个所选多边形变为包围它的最小旋转框</translation>
    </message>
    <message>
        <source>Ellipses to polygons…</source>
        <translation>椭圆转多边形…</translation>
    </message>
    <message>
        <source>Each selected ellipse becomes a polygon with a chosen vertex count</source>
        <translation>每个所选椭圆变为指定顶点数的多边形</translation>
    </message>
    <message>
        <source>Close polylines into polygons</source>
        <translation>闭合折线为多边形</translation>
    </message>
    <message>
        <source>Each selected polyline is closed into a polygon</source>
        <translation>每条所选折线闭合为一个多边形</translation>
    </message>
    <message>
        <source>Simplify polygons…</source>
        <translation>简化多边形…</translation>
    </message>
    <message>
        <source>Douglas–Peucker with a tolerance</source>
        <translation>按容差进行 Douglas–Peucker 简化</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selection</source>
        <translation>删除所选内容</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the gesture or selection</source>
        <translation>取消当前操作或选择</translation>
    </message>
    <message>
        <source>Preferences…</source>
        <translation>首选项…</translation>
    </message>
    <message>
        <source>Theme, mouse wheel, sync, caches, your name</source>
        <translation>主题、鼠标滚轮、同步、缓存、您的名字</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit the image in the window</source>
        <translation>使图像适应窗口</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <source>Show at 100%</source>
        <translation>按 100% 显示</translation>
    </message>
    <message>
        <source>Window/level…</source>
        <translation>窗宽/窗位…</translation>
    </message>
    <message>
        <source>Black and white points of 16-bit and float images</source>
        <translation>16 位和浮点图像的黑点与白点</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>全屏</translation>
    </message>
    <message>
        <source>Fill the screen with the window</source>
        <translation>让窗口铺满屏幕</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <source>Put every panel back where it started</source>
        <translation>将每个面板放回初始位置</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>Select and edit</source>
        <translation>选择并编辑</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>矩形框</translation>
    </message>
    <message>
        <source>Draw boxes</source>
        <translation>绘制矩形框</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>多边形</translation>
    </message>
    <message>
        <source>Draw polygons</source>
        <translation>绘制多边形</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Paint a mask ([ and ] change the size)</source>
        <translation>绘制掩码（[ 和 ] 调整大小）</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Erase from the selected mask</source>
        <translation>从所选掩码中擦除</translation>
    </message>
    <message>
        <source>Magic wand</source>
        <translation>魔棒</translation>
    </message>
    <message>
        <source>Select a region of similar color</source>
        <translation>选择颜色相近的区域</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut 抠图</translation>
    </message>
    <message>
        <source>Drag a box around an object to cut it out</source>
        <translation>在对象周围拖出矩形框以将其抠出</translation>
    </message>
    <message>
        <source>Intelligent scissors</source>
        <translation>智能剪刀</translation>
    </message>
    <message>
        <source>Click along an outline; it follows edges</source>
        <translation>沿轮廓点击，路径会自动贴合边缘</translation>
    </message>
    <message>
        <source>Click to segment</source>
        <translation>点击分割</translation>
    </message>
    <message>
        <source>Click an object, a model outlines it</source>
        <translation>点击对象，由模型勾勒其轮廓</translation>
    </message>
    <message>
        <source>Keypoints</source>
        <translation>关键点</translation>
    </message>
    <message>
        <source>Place skeleton keypoints</source>
        <translation>放置骨架关键点</translation>
    </message>
    <message>
        <source>Polyline</source>
        <translation>折线</translation>
    </message>
    <message>
        <source>Draw open lines (Enter or double-click finishes)</source>
        <translation>绘制开放折线（回车或双击结束）</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>Place points, one per click</source>
        <translation>放置点，每次点击一个</translation>
    </message>
    <message>
        <source>Ellipse</source>
        <translation>椭圆</translation>
    </message>
    <message>
        <source>Drag an ellipse (Shift: circle)</source>
        <translation>拖出椭圆（Shift：圆形）</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>模型…</translation>
    </message>
    <message>
        <source>The installed models: add one from files or a URL, remove one</source>
        <translation>已安装的模型：从文件或网址添加，或删除</translation>
    </message>
    <message>
        <source>Pre-label this image</source>
        <translation>预标注此图像</translation>
    </message>
    <message>
        <source>Run the installed detector; its results arrive as suggestions</source>
        <translation>运行已安装的检测器，结果以建议的形式给出</translation>
    </message>
    <message>
        <source>Pre-label all listed images</source>
        <translation>预标注列表中的全部图像</translation>
    </message>
    <message>
        <source>Run the installed detector over every image the list shows, in the background</source>
        <translation>在后台对列表中显示的每张图像运行已安装的检测器</translation>
    </message>
    <message>
        <source>ML backend…</source>
        <translation>ML 后端…</translation>
    </message>
    <message>
        <source>The Label Studio ML backend this project asks for suggestions</source>
        <translation>此项目用于获取建议的 Label Studio ML 后端</translation>
    </message>
    <message>
        <source>Suggest</source>
        <translation>获取建议</translation>
    </message>
    <message>
        <source>Ask the project&apos;s ML backend about this image</source>
        <translation>向项目的 ML 后端询问此图像</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>下一张图像</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>上一张图像</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>About limner</source>
        <translation>关于 limner</translation>
    </message>
    <message>
        <source>Version, licence and folders</source>
        <translation>版本、许可证和文件夹</translation>
    </message>
    <message>
        <source>Class {n}</source>
        <translation>类别 {n}</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Annotate mode</source>
        <translation>标注模式</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>Review mode</source>
        <translation>审核模式</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Submit and open the next image</source>
        <translation>提交并打开下一张图像</translation>
    </message>
    <message>
        <source>Skip…</source>
        <translation>跳过…</translation>
    </message>
    <message>
        <source>Skip this image, with a reason</source>
        <translation>跳过此图像并说明原因</translation>
    </message>
    <message>
        <source>Next unlabeled</source>
        <translation>下一张未标注</translation>
    </message>
    <message>
        <source>Next image that needs labels</source>
        <translation>下一张需要标注的图像</translation>
    </message>
    <message>
        <source>Next rejected</source>
        <translation>下一张被驳回</translation>
    </message>
    <message>
        <source>Next rejected image</source>
        <translation>下一张被驳回的图像</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Approve and open the next image</source>
        <translation>通过并打开下一张图像</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <source>Reject with a comment</source>
        <translation>附带意见驳回</translation>
    </message>
    <message>
        <source>Add remark…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <source>Pin a remark to the selection or the cursor</source>
        <translation>将备注钉在所选内容或光标处</translation>
    </message>
    <message>
        <source>Changes since last review</source>
        <translation>自上次审核以来的变更</translation>
    </message>
    <message>
        <source>Show added, changed and removed shapes</source>
        <translation>显示新增、修改和删除的形状</translation>
    </message>
    <message>
        <source>Progress…</source>
        <translation>进度…</translation>
    </message>
    <message>
        <source>Counts and charts</source>
        <translation>统计与图表</translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation>打开演示项目</translation>
    </message>
    <message>
        <source>The demo project</source>
        <translation>演示项目</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Middle-drag, Space+drag</source>
        <translation>中键拖动、空格+拖动</translation>
    </message>
    <message>
        <source>Scroll (Shift: sideways); trackpads scroll too</source>
        <translation>滚动（Shift：横向）；触控板同样可以滚动</translation>
    </message>
    <message>
        <source>Wheel</source>
        <translation>滚轮</translation>
    </message>
    <message>
        <source>Zoom at the cursor</source>
        <translation>以光标为中心缩放</translation>
    </message>
    <message>
        <source>Ctrl+Wheel</source>
        <translation>Ctrl+滚轮</translation>
    </message>
    <message>
        <source>Brush size / wand tolerance</source>
        <translation>画笔大小 / 魔棒容差</translation>
    </message>
    <message>
        <source>[ and ]</source>
        <translation>[ 和 ]</translation>
    </message>
    <message>
        <source>Polygon: close / remove last vertex</source>
        <translation>多边形：闭合 / 删除最后一个顶点</translation>
    </message>
    <message>
        <source>Polygon: draw a hole / add a part</source>
        <translation>多边形：绘制孔洞 / 添加分块</translation>
    </message>
    <message>
        <source>Ctrl / Shift at the first click</source>
        <translation>第一次点击时按 Ctrl / Shift</translation>
    </message>
    <message>
        <source>Scissors: close / take back the last stretch</source>
        <translation>智能剪刀：闭合 / 撤回最后一段</translation>
    </message>
    <message>
        <source>Segment: not this / keep / mask or polygon</source>
        <translation>分割：排除此处 / 保留 / 掩码或多边形</translation>
    </message>
    <message>
        <source>Alt+click / Enter / Tab</source>
        <translation>Alt+点击 / Enter / Tab</translation>
    </message>
    <message>
        <source>Keypoints: occluded / skip</source>
        <translation>关键点：被遮挡 / 跳过</translation>
    </message>
    <message>
        <source>Shift+click / X</source>
        <translation>Shift+点击 / X</translation>
    </message>
    <message>
        <source>Image tags: toggle an option (shown on its button)</source>
        <translation>图像标签：切换选项（快捷键标在按钮上）</translation>
    </message>
    <message>
        <source>Polyline: finish / remove last vertex</source>
        <translation>折线：结束 / 删除最后一个顶点</translation>
    </message>
    <message>
        <source>Enter or double-click / Backspace</source>
        <translation>Enter 或双击 / Backspace</translation>
    </message>
    <message>
        <source>Ellipse: draw a circle</source>
        <translation>椭圆：绘制圆形</translation>
    </message>
    <message>
        <source>Shift while dragging</source>
        <translation>拖动时按住 Shift</translation>
    </message>
    <message>
        <source>Box or ellipse: rotate (Shift snaps to 15°)</source>
        <translation>矩形框或椭圆：旋转（Shift 按 15° 吸附）</translation>
    </message>
    <message>
        <source>Drag the round handle above it</source>
        <translation>拖动其上方的圆形手柄</translation>
    </message>
    <message>
        <source>Polyline vertex: move / delete / insert</source>
        <translation>折线顶点：移动 / 删除 / 插入</translation>
    </message>
    <message>
        <source>Drag / Alt+click / double-click an edge</source>
        <translation>拖动 / Alt+点击 / 双击线段</translation>
    </message>
</context>
<context>
    <name>AnnotationList</name>
    <message>
        <source>(no class)</source>
        <translation>（无类别）</translation>
    </message>
    <message>
        <source>List only my shapes</source>
        <translation>只列出我的形状</translation>
    </message>
    <message>
        <source>List only {name}&apos;s shapes</source>
        <translation>只列出 {name} 的形状</translation>
    </message>
    <message>
        <source>Select my shapes</source>
        <translation>选择我的形状</translation>
    </message>
    <message>
        <source>Select {name}&apos;s shapes</source>
        <translation>选择 {name} 的形状</translation>
    </message>
    <message>
        <source>List everyone&apos;s shapes</source>
        <translation>列出所有人的形状</translation>
    </message>
    <message>
        <source>Author: you</source>
        <translation>作者：您</translation>
    </message>
    <message>
        <source>Author: {name} (you)</source>
        <translation>作者：{name}（您）</translation>
    </message>
    <message>
        <source>Author: {name}</source>
        <translation>作者：{name}</translation>
    </message>
    <message>
        <source>Only my shapes: {shown} of {total} (click to list all)</source>
        <translation>只显示我的形状：{shown} / {total}（点击列出全部）</translation>
    </message>
    <message>
        <source>Only {name}&apos;s shapes: {shown} of {total} (click to list all)</source>
        <translation>只显示 {name} 的形状：{shown} / {total}（点击列出全部）</translation>
    </message>
    <message>
        <source>proposed by {model}</source>
        <translation>由 {model} 建议</translation>
    </message>
    <message>
        <source>(hidden)</source>
        <translation>（已隐藏）</translation>
    </message>
</context>
<context>
    <name>Assist</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>no {kind} model is installed (Tools → Models…)</source>
        <translation>未安装{kind}模型（工具 → 模型…）</translation>
    </message>
    <message>
        <source>ML backend</source>
        <translation>ML 后端</translation>
    </message>
    <message>
        <source>Label Studio ML backend URL for this project:</source>
        <translation>此项目的 Label Studio ML 后端网址：</translation>
    </message>
    <message>
        <source>no backend URL is set for this project</source>
        <translation>此项目未设置后端网址</translation>
    </message>
    <message>
        <source>The ML backend suggested {count} shape</source>
        <translation>ML 后端建议了 {count} 个形状</translation>
    </message>
    <message>
        <source>The ML backend suggested {count} shapes</source>
        <translation>ML 后端建议了 {count} 个形状</translation>
    </message>
    <message>
        <source>no detector model is installed (Tools → Models…)</source>
        <translation>未安装检测器模型（工具 → 模型…）</translation>
    </message>
    <message>
        <source>Pre-labeling…</source>
        <translation>正在预标注…</translation>
    </message>
    <message>
        <source>Pre-labels</source>
        <translation>预标注</translation>
    </message>
    <message>
        <source>Pre-labels: {done} of {total} images done</source>
        <translation>预标注：已完成 {done} / {total} 张图像</translation>
    </message>
    <message>
        <source>Pre-labels stopped: {error}</source>
        <translation>预标注已停止：{error}</translation>
    </message>
</context>
<context>
    <name>AttributeEditor</name>
    <message>
        <source>Select one annotation to edit its attributes.</source>
        <translation>选择一个标注以编辑其属性。</translation>
    </message>
    <message>
        <source>This class has no attributes (add them in the class dialog).</source>
        <translation>此类别没有属性（可在类别对话框中添加）。</translation>
    </message>
</context>
<context>
    <name>ChangesOverlay</name>
    <message>
        <source>added</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ClassDialog</name>
    <message>
        <source>Edit class</source>
        <translation>编辑类别</translation>
    </message>
    <message>
        <source>New class</source>
        <translation>新建类别</translation>
    </message>
    <message>
        <source>Pick…</source>
        <translation>选取…</translation>
    </message>
    <message>
        <source>position 1–9 if empty</source>
        <translation>留空则按位置 1–9</translation>
    </message>
    <message>
        <source>occluded: bool
color: choice = red | green
tags: multi = a | b
note: text
count: number</source>
        <translation>遮挡: bool
颜色: choice = 红 | 绿
标记: multi = a | b
备注: text
数量: number</translation>
    </message>
    <message>
        <source>head, neck, l_shoulder, r_shoulder</source>
        <translation>头, 颈, 左肩, 右肩</translation>
    </message>
    <message>
        <source>head-neck, neck-l_shoulder</source>
        <translation>头-颈, 颈-左肩</translation>
    </message>
    <message>
        <source>l_shoulder/r_shoulder</source>
        <translation>左肩/右肩</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>种类</translation>
    </message>
    <message>
        <source>Hotkey</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Tag answers</source>
        <translation>标签回答方式</translation>
    </message>
    <message>
        <source>Tag options</source>
        <translation>标签选项</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Skeleton points</source>
        <translation>骨架点</translation>
    </message>
    <message>
        <source>Skeleton edges</source>
        <translation>骨架边</translation>
    </message>
    <message>
        <source>Left/right pairs</source>
        <translation>左右对称对</translation>
    </message>
    <message>
        <source>sunny | cloudy | rainy</source>
        <translation>晴 | 多云 | 雨</translation>
    </message>
    <message>
        <source>Class color</source>
        <translation>类别颜色</translation>
    </message>
    <message>
        <source>a class needs a name</source>
        <translation>类别必须有名称</translation>
    </message>
    <message>
        <source>color {color}: write it as #rrggbb</source>
        <translation>颜色 {color}：请写成 #rrggbb 形式</translation>
    </message>
    <message>
        <source>a tag class has no skeleton; clear its points</source>
        <translation>标签类别没有骨架，请清空其骨架点</translation>
    </message>
    <message>
        <source>a keypoints class needs skeleton points</source>
        <translation>关键点类别需要骨架点</translation>
    </message>
</context>
<context>
    <name>ClassPanel</name>
    <message>
        <source>Add a class</source>
        <translation>添加类别</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Rename the class</source>
        <translation>重命名类别</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Change the class color</source>
        <translation>更改类别颜色</translation>
    </message>
    <message>
        <source>Delete the class</source>
        <translation>删除类别</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Kind, hotkey, attributes and skeleton of the class</source>
        <translation>类别的种类、快捷键、属性和骨架</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Hide the class&apos;s shapes</source>
        <translation>隐藏该类别的形状</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Lock the class&apos;s shapes</source>
        <translation>锁定该类别的形状</translation>
    </message>
    <message>
        <source>hidden</source>
        <translation>已隐藏</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>the current tool cannot draw this class</source>
        <translation>当前工具无法绘制此类别</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>添加类别</translation>
    </message>
    <message>
        <source>Name of the new class:</source>
        <translation>新类别的名称：</translation>
    </message>
    <message>
        <source>Rename class</source>
        <translation>重命名类别</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Color of {name}</source>
        <translation>{name} 的颜色</translation>
    </message>
    <message>
        <source>Delete class</source>
        <translation>删除类别</translation>
    </message>
    <message>
        <source>Delete the class “{name}”? Its annotations stay, without a class (Undo brings the class back).</source>
        <translation>删除类别“{name}”？其标注会保留，但不再属于任何类别（撤销可恢复该类别）。</translation>
    </message>
</context>
<context>
    <name>Commands</name>
    <message>
        <source>Add tag class</source>
        <translation>添加标签类别</translation>
    </message>
    <message>
        <source>Accept {label}</source>
        <translation>接受 {label}</translation>
    </message>
    <message>
        <source>Reject {label}</source>
        <translation>拒绝 {label}</translation>
    </message>
    <message>
        <source>Accept {count} suggestions ≥ {threshold}</source>
        <translation>接受 {count} 条得分 ≥ {threshold} 的建议</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Add annotation</source>
        <translation>添加标注</translation>
    </message>
    <message>
        <source>Delete annotation</source>
        <translation>删除标注</translation>
    </message>
    <message>
        <source>Edit annotation</source>
        <translation>编辑标注</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>添加类别</translation>
    </message>
    <message>
        <source>Change class</source>
        <translation>更改类别</translation>
    </message>
    <message>
        <source>Delete class</source>
        <translation>删除类别</translation>
    </message>
    <message>
        <source>Set status</source>
        <translation>设置状态</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>编组</translation>
    </message>
    <message>
        <source>Ungroup</source>
        <translation>取消编组</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Delete {count} annotations</source>
        <translation>删除 {count} 个标注</translation>
    </message>
    <message>
        <source>Paint mask</source>
        <translation>绘制掩码</translation>
    </message>
    <message>
        <source>Convert annotations</source>
        <translation>转换标注</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Cannot read the image</source>
        <translation>无法读取图像</translation>
    </message>
    <message>
        <source>Could not apply the edit</source>
        <translation>无法应用此编辑</translation>
    </message>
    <message>
        <source>Add class {name}</source>
        <translation>添加类别 {name}</translation>
    </message>
    <message>
        <source>Some shapes were not pasted</source>
        <translation>部分形状未能粘贴</translation>
    </message>
    <message>
        <source>{skipped} of {count} copied shapes lie outside this image.</source>
        <translation>复制的 {count} 个形状中有 {skipped} 个位于此图像之外。</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>创建副本</translation>
    </message>
    <message>
        <source>Paste into next image</source>
        <translation>粘贴到下一张图像</translation>
    </message>
    <message>
        <source>Invalid attribute</source>
        <translation>属性无效</translation>
    </message>
    <message>
        <source>Could not convert</source>
        <translation>无法转换</translation>
    </message>
    <message>
        <source>Could not undo</source>
        <translation>无法撤销</translation>
    </message>
    <message>
        <source>Could not redo</source>
        <translation>无法重做</translation>
    </message>
    <message>
        <source>Could not tag the image</source>
        <translation>无法为图像添加标签</translation>
    </message>
    <message>
        <source>Accept suggestion</source>
        <translation>接受建议</translation>
    </message>
    <message>
        <source>Reject suggestion</source>
        <translation>拒绝建议</translation>
    </message>
    <message>
        <source>Clear {name}</source>
        <translation>清除 {name}</translation>
    </message>
    <message>
        <source>Tag {name}</source>
        <translation>标记 {name}</translation>
    </message>
    <message>
        <source>Change {name}</source>
        <translation>更改 {name}</translation>
    </message>
    <message>
        <source>Draw box</source>
        <translation>绘制矩形框</translation>
    </message>
    <message>
        <source>{tool} stroke</source>
        <translation>{tool}笔画</translation>
    </message>
    <message>
        <source>Convert to mask</source>
        <translation>转换为掩码</translation>
    </message>
    <message>
        <source>Convert to polygon</source>
        <translation>转换为多边形</translation>
    </message>
    <message>
        <source>Convert box to polygon</source>
        <translation>矩形框转换为多边形</translation>
    </message>
    <message>
        <source>Convert polygon to rotated box</source>
        <translation>多边形转换为旋转框</translation>
    </message>
    <message>
        <source>Convert ellipse to polygon</source>
        <translation>椭圆转换为多边形</translation>
    </message>
    <message>
        <source>Close polyline into polygon</source>
        <translation>闭合折线为多边形</translation>
    </message>
    <message>
        <source>Draw shape</source>
        <translation>绘制形状</translation>
    </message>
    <message>
        <source>Draw ellipse</source>
        <translation>绘制椭圆</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut 抠图</translation>
    </message>
    <message>
        <source>Place keypoints</source>
        <translation>放置关键点</translation>
    </message>
    <message>
        <source>Place point</source>
        <translation>放置点</translation>
    </message>
    <message>
        <source>Draw polygon</source>
        <translation>绘制多边形</translation>
    </message>
    <message>
        <source>Cut hole</source>
        <translation>挖孔</translation>
    </message>
    <message>
        <source>Add polygon part</source>
        <translation>添加多边形分块</translation>
    </message>
    <message>
        <source>Draw polyline</source>
        <translation>绘制折线</translation>
    </message>
    <message>
        <source>Intelligent scissors</source>
        <translation>智能剪刀</translation>
    </message>
    <message>
        <source>Segment with {model}</source>
        <translation>用 {model} 分割</translation>
    </message>
    <message>
        <source>Resize box</source>
        <translation>调整矩形框大小</translation>
    </message>
    <message>
        <source>Resize ellipse</source>
        <translation>调整椭圆大小</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>旋转</translation>
    </message>
    <message>
        <source>Move keypoint</source>
        <translation>移动关键点</translation>
    </message>
    <message>
        <source>Move vertex</source>
        <translation>移动顶点</translation>
    </message>
    <message>
        <source>Insert vertex</source>
        <translation>插入顶点</translation>
    </message>
    <message>
        <source>Delete vertex</source>
        <translation>删除顶点</translation>
    </message>
    <message>
        <source>Magic wand</source>
        <translation>魔棒</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>导入标注</translation>
    </message>
    <message>
        <source>Import {format} annotations ({count} images)</source>
        <translation>导入 {format} 标注（{count} 张图像）</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Add remark</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Resolve remark</source>
        <translation>解决备注</translation>
    </message>
    <message>
        <source>Delete remark</source>
        <translation>删除备注</translation>
    </message>
    <message>
        <source>Create queue</source>
        <translation>创建队列</translation>
    </message>
    <message>
        <source>Delete queue</source>
        <translation>删除队列</translation>
    </message>
    <message>
        <source>Assign to queue</source>
        <translation>分配到队列</translation>
    </message>
    <message>
        <source>Remove from queue</source>
        <translation>从队列中移除</translation>
    </message>
</context>
<context>
    <name>Connect</name>
    <message>
        <source>Connect to server</source>
        <translation>连接服务器</translation>
    </message>
    <message>
        <source>access token (kept in the OS keyring)</source>
        <translation>访问令牌（保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Publish this project: send its local images and labels</source>
        <translation>发布此项目：发送其本地图像和标注</translation>
    </message>
    <message>
        <source>or the title of a new server project</source>
        <translation>或新服务器项目的标题</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>New project</source>
        <translation>新项目</translation>
    </message>
    <message>
        <source>Publishing: {refusal}</source>
        <translation>发布：{refusal}</translation>
    </message>
    <message>
        <source>Could not connect: {error}</source>
        <translation>无法连接：{error}</translation>
    </message>
    <message>
        <source>Connected: {count} project.</source>
        <translation>已连接：{count} 个项目。</translation>
    </message>
    <message>
        <source>Connected: {count} projects.</source>
        <translation>已连接：{count} 个项目。</translation>
    </message>
    <message>
        <source>Connected, but this account sees no project.</source>
        <translation>已连接，但此账户看不到任何项目。</translation>
    </message>
    <message>
        <source>project id, e.g. 3</source>
        <translation>项目 ID，例如 3</translation>
    </message>
    <message>
        <source>project id (uuid)</source>
        <translation>项目 ID（UUID）</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>{count} byte</source>
        <translation>{count} 字节</translation>
    </message>
    <message>
        <source>{count} bytes</source>
        <translation>{count} 字节</translation>
    </message>
    <message>
        <source>no room left</source>
        <translation>已无剩余空间</translation>
    </message>
    <message>
        <source>{size} free</source>
        <translation>剩余 {size}</translation>
    </message>
    <message>
        <source>The project could not be saved: the disk is full ({free}).</source>
        <translation>无法保存项目：磁盘已满（{free}）。</translation>
    </message>
    <message>
        <source>unexpected problem ({kind}: {detail})</source>
        <translation>意外问题（{kind}：{detail}）</translation>
    </message>
    <message>
        <source>unexpected problem ({kind})</source>
        <translation>意外问题（{kind}）</translation>
    </message>
    <message>
        <source>{problem} Your last edit was not made.</source>
        <translation>{problem}您的上一次编辑未生效。</translation>
    </message>
</context>
<context>
    <name>Formats</name>
    <message>
        <source>COCO instances and keypoints (JSON)</source>
        <translation>COCO 实例与关键点 (JSON)</translation>
    </message>
    <message>
        <source>CVAT for images 1.1 XML</source>
        <translation>CVAT 图像格式 1.1 (XML)</translation>
    </message>
    <message>
        <source>YOLO (data.yaml and labels)</source>
        <translation>YOLO（data.yaml 与 labels/ 文件夹）</translation>
    </message>
    <message>
        <source>YOLO detect</source>
        <translation>YOLO 检测</translation>
    </message>
    <message>
        <source>YOLO segment</source>
        <translation>YOLO 分割</translation>
    </message>
    <message>
        <source>YOLO pose</source>
        <translation>YOLO 姿态</translation>
    </message>
    <message>
        <source>YOLO obb</source>
        <translation>YOLO 旋转框</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>No status changes yet.</source>
        <translation>尚无状态变更。</translation>
    </message>
</context>
<context>
    <name>ImageList</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注数</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>全部队列</translation>
    </message>
    <message>
        <source>Search names…</source>
        <translation>搜索名称…</translation>
    </message>
</context>
<context>
    <name>ImportImages</name>
    <message>
        <source>Add images</source>
        <translation>添加图像</translation>
    </message>
    <message>
        <source>Images ({patterns});;All files (*)</source>
        <translation>图像 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Add a folder of images</source>
        <translation>添加一个图像文件夹</translation>
    </message>
    <message>
        <source>Import under way</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <source>Wait for the current import to finish.</source>
        <translation>请等待当前导入完成。</translation>
    </message>
    <message>
        <source>Reading images…</source>
        <translation>正在读取图像…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Adding images</source>
        <translation>正在添加图像</translation>
    </message>
    <message>
        <source>Could not add images</source>
        <translation>无法添加图像</translation>
    </message>
    <message>
        <source>Reading {name}…</source>
        <translation>正在读取 {name}…</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>… and {count} more (filter the list by “Unreadable”)</source>
        <translation>……另有 {count} 个（可按“无法读取”筛选列表）</translation>
    </message>
    <message>
        <source>Some files cannot be read</source>
        <translation>部分文件无法读取</translation>
    </message>
</context>
<context>
    <name>LabelTransfer</name>
    <message>
        <source>Import annotations</source>
        <translation>导入标注</translation>
    </message>
    <message>
        <source>an annotation file, or a dataset folder</source>
        <translation>标注文件或数据集文件夹</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Recognise it</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <source>Add the dataset&apos;s images the project does not have</source>
        <translation>添加项目中尚没有的数据集图像</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Annotation file</source>
        <translation>标注文件</translation>
    </message>
    <message>
        <source>Dataset folder</source>
        <translation>数据集文件夹</translation>
    </message>
    <message>
        <source>Read as the format chosen above.</source>
        <translation>按上面选择的格式读取。</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>Export annotations</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>To</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Export to file</source>
        <translation>导出到文件</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Recognised as {format}: {reason}</source>
        <translation>识别为 {format}：{reason}</translation>
    </message>
    <message>
        <source>Importing annotations</source>
        <translation>正在导入标注</translation>
    </message>
    <message>
        <source>Could not import annotations</source>
        <translation>无法导入标注</translation>
    </message>
    <message>
        <source>Exporting annotations</source>
        <translation>正在导出标注</translation>
    </message>
    <message>
        <source>Could not export annotations</source>
        <translation>无法导出标注</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌中</translation>
    </message>
    <message>
        <source>Wait for the current import or export to finish.</source>
        <translation>请等待当前的导入或导出完成。</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>正在完成…</translation>
    </message>
    <message>
        <source>Image {number} of {total}: {name}</source>
        <translation>图像 {number} / {total}：{name}</translation>
    </message>
    <message>
        <source>Image {number}: {name}</source>
        <translation>图像 {number}：{name}</translation>
    </message>
    <message>
        <source>Annotations found</source>
        <translation>发现标注</translation>
    </message>
    <message>
        <source>The images came with annotations:
{listed}

Import them too?</source>
        <translation>这些图像附带了标注：
{listed}

是否一并导入？</translation>
    </message>
    <message>
        <source>Not imported: {names}</source>
        <translation>未导入：{names}</translation>
    </message>
</context>
<context>
    <name>LossReport</name>
    <message>
        <source>Nothing was lost.</source>
        <translation>没有丢失任何内容。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Annotations</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Suggestions</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Very large image</source>
        <translation>超大图像</translation>
    </message>
    <message>
        <source>{name}: {reason}.

Open images this large in this project? limner shows them tile by tile; the choice is remembered for the project.</source>
        <translation>{name}：{reason}。

是否在此项目中打开如此大的图像？limner 会逐块显示；此选择会为该项目记住。</translation>
    </message>
    <message>
        <source>Very large images allowed; {count} can now be opened</source>
        <translation>已允许超大图像；现在可以打开 {count} 张</translation>
    </message>
    <message>
        <source>{name} cannot be shown: {reason}</source>
        <translation>无法显示 {name}：{reason}</translation>
    </message>
    <message>
        <source>{count} annotations selected.</source>
        <translation>已选择 {count} 个标注。</translation>
    </message>
    <message>
        <source>Tool: {name}</source>
        <translation>工具：{name}</translation>
    </message>
    <message>
        <source>Last image</source>
        <translation>已是最后一张图像</translation>
    </message>
    <message>
        <source>First image</source>
        <translation>已是第一张图像</translation>
    </message>
    <message>
        <source>Simplify polygons</source>
        <translation>简化多边形</translation>
    </message>
    <message>
        <source>Tolerance in image pixels:</source>
        <translation>容差（图像像素）：</translation>
    </message>
    <message>
        <source>Ellipses to polygons</source>
        <translation>椭圆转多边形</translation>
    </message>
    <message>
        <source>Vertices per polygon:</source>
        <translation>每个多边形的顶点数：</translation>
    </message>
    <message>
        <source>No image named {name} in this project</source>
        <translation>此项目中没有名为 {name} 的图像</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>种类</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>系列</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>segmenter</source>
        <translation>分割器</translation>
    </message>
    <message>
        <source>detector</source>
        <translation>检测器</translation>
    </message>
    <message>
        <source>Encoder file</source>
        <translation>编码器文件</translation>
    </message>
    <message>
        <source>Decoder file</source>
        <translation>解码器文件</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>Add from files</source>
        <translation>从文件添加</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>删除所选</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>or URL</source>
        <translation>或网址</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Installed.</source>
        <translation>已安装。</translation>
    </message>
    <message>
        <source>Downloads hold one file: choose the detector kind</source>
        <translation>下载只包含一个文件：请选择检测器种类</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
</context>
<context>
    <name>NewProjectDialog</name>
    <message>
        <source>New project</source>
        <translation>新项目</translation>
    </message>
    <message>
        <source>a folder of images (may be left empty)</source>
        <translation>图像文件夹（可留空）</translation>
    </message>
    <message>
        <source>where the project is kept</source>
        <translation>项目的存放位置</translation>
    </message>
    <message>
        <source>cat, dog, bird</source>
        <translation>猫, 狗, 鸟</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Folder of images</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>Project folder</source>
        <translation>项目文件夹</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>{path} is not a folder.</source>
        <translation>{path} 不是文件夹。</translation>
    </message>
    <message>
        <source>Choose where the project is kept.</source>
        <translation>请选择项目的存放位置。</translation>
    </message>
    <message>
        <source>{path} holds a project already: open it instead.</source>
        <translation>{path} 中已有项目：请直接打开它。</translation>
    </message>
</context>
<context>
    <name>Preferences</name>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Wheel scrolls, Ctrl+wheel zooms</source>
        <translation>滚轮滚动，Ctrl+滚轮缩放</translation>
    </message>
    <message>
        <source>Wheel zooms, Ctrl+wheel scrolls</source>
        <translation>滚轮缩放，Ctrl+滚轮滚动</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>A new language shows the next time limner starts.</source>
        <translation>新语言将在下次启动 limner 时生效。</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source> images</source>
        <translation> 张图像</translation>
    </message>
    <message>
        <source>your login name or LIMNER_USER</source>
        <translation>您的登录名或 LIMNER_USER</translation>
    </message>
    <message>
        <source>Show names beside toolbar icons</source>
        <translation>在工具栏图标旁显示名称</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Mouse wheel</source>
        <translation>鼠标滚轮</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>同步间隔</translation>
    </message>
    <message>
        <source>Read ahead</source>
        <translation>预读</translation>
    </message>
    <message>
        <source>Tile cache on disk</source>
        <translation>磁盘瓦片缓存</translation>
    </message>
    <message>
        <source>Author name</source>
        <translation>作者名</translation>
    </message>
</context>
<context>
    <name>Progress</name>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <source>{who}: {rate} a day over {days}</source>
        <translation>{who}：{days} 天内平均每天 {rate}</translation>
    </message>
    <message>
        <source>Shapes per class</source>
        <translation>各类别的形状数</translation>
    </message>
    <message>
        <source>Images per class</source>
        <translation>各类别的图像数</translation>
    </message>
    <message>
        <source>Status moves per day</source>
        <translation>每日状态变更</translation>
    </message>
    <message>
        <source>Images submitted per annotator</source>
        <translation>各标注员提交的图像数</translation>
    </message>
    <message>
        <source>Nothing submitted yet.</source>
        <translation>尚未提交任何内容。</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <source>{images}, {approved} approved</source>
        <translation>{images}，已通过 {approved} 张</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>by annotator</source>
        <translation>按标注员</translation>
    </message>
    <message>
        <source>Export the charts</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
</context>
<context>
    <name>ProjectHome</name>
    <message>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <source>{path} is not a limner project.</source>
        <translation>{path} 不是 limner 项目。</translation>
    </message>
    <message>
        <source>Make a project?</source>
        <translation>创建项目？</translation>
    </message>
    <message>
        <source>{path} is not a limner project yet.

Make a project of the images in it?</source>
        <translation>{path} 还不是 limner 项目。

是否用其中的图像创建项目？</translation>
    </message>
    <message>
        <source>Cannot make the project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <source>Open a project folder</source>
        <translation>打开一个项目文件夹</translation>
    </message>
    <message>
        <source>{path} holds no project any more. Remove it from the recent list?</source>
        <translation>{path} 中已不再有项目。是否将其从最近列表中移除？</translation>
    </message>
    <message>
        <source>Project missing</source>
        <translation>项目缺失</translation>
    </message>
    <message>
        <source>An empty folder for the cloned project</source>
        <translation>用于克隆项目的空文件夹</translation>
    </message>
    <message>
        <source>Cannot clone</source>
        <translation>无法克隆</translation>
    </message>
    <message>
        <source>This project&apos;s tiles take {size} now.</source>
        <translation>此项目的瓦片目前占用 {size}。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>This project</source>
        <translation>此项目</translation>
    </message>
    <message>
        <source>No recent projects</source>
        <translation>没有最近的项目</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
</context>
<context>
    <name>Publish</name>
    <message>
        <source>pick the server project</source>
        <translation>请选择服务器项目</translation>
    </message>
    <message>
        <source>{sent} images sent, {already} already there, {refused} refused</source>
        <translation>已发送 {sent} 张图像，{already} 张已存在，{refused} 张被拒绝</translation>
    </message>
    <message>
        <source>(cancelled: publish again to continue)</source>
        <translation>（已取消：再次发布即可继续）</translation>
    </message>
    <message>
        <source>Already there: {name} (matched by {rule})</source>
        <translation>已存在：{name}（按 {rule} 匹配）</translation>
    </message>
    <message>
        <source>Refused: {name}: {reason}</source>
        <translation>被拒绝：{name}：{reason}</translation>
    </message>
    <message>
        <source>Publishing the project…</source>
        <translation>正在发布项目…</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>发布</translation>
    </message>
    <message>
        <source>Publishing: {done} of {total} images</source>
        <translation>正在发布：{done} / {total} 张图像</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>已发布</translation>
    </message>
    <message>
        <source>Publish failed</source>
        <translation>发布失败</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>exported {images}, {shapes} to {out}; {losses}</source>
        <translation>已导出 {images}、{shapes} 到 {out}；{losses}</translation>
    </message>
    <message>
        <source>(cancelled)</source>
        <translation>（已取消）</translation>
    </message>
    <message>
        <source>{shapes} on {images}</source>
        <translation>{images}上的 {shapes}</translation>
    </message>
    <message>
        <source>{count} suggestion</source>
        <translation>{count} 条建议</translation>
    </message>
    <message>
        <source>{count} suggestions</source>
        <translation>{count} 条建议</translation>
    </message>
    <message>
        <source>{count} image added</source>
        <translation>已添加 {count} 张图像</translation>
    </message>
    <message>
        <source>{count} images added</source>
        <translation>已添加 {count} 张图像</translation>
    </message>
    <message>
        <source>{count} class created</source>
        <translation>已创建 {count} 个类别</translation>
    </message>
    <message>
        <source>{count} classes created</source>
        <translation>已创建 {count} 个类别</translation>
    </message>
    <message>
        <source>{count} already in the project</source>
        <translation>{count} 个已在项目中</translation>
    </message>
    <message>
        <source>imported {parts}; {losses}</source>
        <translation>已导入 {parts}；{losses}</translation>
    </message>
    <message>
        <source>{format} annotations in {path} ({reason})</source>
        <translation>{path} 中的 {format} 标注（{reason}）</translation>
    </message>
    <message>
        <source>{count} unreadable (listed with their reason)</source>
        <translation>{count} 个无法读取（已列出原因）</translation>
    </message>
    <message>
        <source>{count} skipped (listed with their reason)</source>
        <translation>{count} 个已跳过（已列出原因）</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>{count} shape</source>
        <translation>{count} 个形状</translation>
    </message>
    <message>
        <source>{count} shapes</source>
        <translation>{count} 个形状</translation>
    </message>
    <message>
        <source>{count} loss</source>
        <translation>{count} 处丢失</translation>
    </message>
    <message>
        <source>{count} losses</source>
        <translation>{count} 处丢失</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>No more unlabeled images</source>
        <translation>没有更多未标注的图像</translation>
    </message>
    <message>
        <source>No more rejected images</source>
        <translation>没有更多被驳回的图像</translation>
    </message>
    <message>
        <source>No more submitted images</source>
        <translation>没有更多已提交的图像</translation>
    </message>
    <message>
        <source>Could not submit</source>
        <translation>无法提交</translation>
    </message>
    <message>
        <source>Skip image</source>
        <translation>跳过图像</translation>
    </message>
    <message>
        <source>Why skip this image?</source>
        <translation>为什么跳过此图像？</translation>
    </message>
    <message>
        <source>Could not skip</source>
        <translation>无法跳过</translation>
    </message>
    <message>
        <source>Could not approve</source>
        <translation>无法通过</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>What must change?</source>
        <translation>需要修改什么？</translation>
    </message>
    <message>
        <source>A rejection needs a comment. What must change?</source>
        <translation>驳回需要填写意见。需要修改什么？</translation>
    </message>
    <message>
        <source>Could not reject</source>
        <translation>无法驳回</translation>
    </message>
    <message>
        <source>Could not add the remark</source>
        <translation>无法添加备注</translation>
    </message>
    <message>
        <source>Remark kept in this project: the server cannot hold pinned remarks</source>
        <translation>备注仅保存在此项目中：服务器无法保存钉住的备注</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Remark for the annotator:</source>
        <translation>给标注员的备注：</translation>
    </message>
    <message>
        <source>Rejected by {reviewer}: {comment}</source>
        <translation>被 {reviewer} 驳回：{comment}</translation>
    </message>
    <message>
        <source>{count} remark pinned on the image</source>
        <translation>图像上钉有 {count} 条备注</translation>
    </message>
    <message>
        <source>{count} remarks pinned on the image</source>
        <translation>图像上钉有 {count} 条备注</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Queue {name}</source>
        <translation>队列 {name}</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} 张图像</translation>
    </message>
    <message>
        <source>{images}, {done} done</source>
        <translation>{images}，已完成 {done} 张</translation>
    </message>
    <message>
        <source>Label images with boxes, polygons, masks and skeletons.</source>
        <translation>用矩形框、多边形、掩码和骨架标注图像。</translation>
    </message>
    <message>
        <source>New project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open project…</source>
        <translation>打开项目…</translation>
    </message>
    <message>
        <source>Clone from server…</source>
        <translation>从服务器克隆…</translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation>打开演示项目</translation>
    </message>
    <message>
        <source>No recent projects yet.</source>
        <translation>还没有最近的项目。</translation>
    </message>
    <message>
        <source>Recent projects</source>
        <translation>最近的项目</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>Read-only: {reason}</source>
        <translation>只读：{reason}</translation>
    </message>
    <message>
        <source>no image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <source>value {value}</source>
        <translation>值 {value}</translation>
    </message>
</context>
<context>
    <name>SuggestionPanel</name>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Accept ≥</source>
        <translation>接受 ≥</translation>
    </message>
    <message>
        <source>unlabeled</source>
        <translation>无标签</translation>
    </message>
    <message>
        <source>{count} suggestion open</source>
        <translation>{count} 条待处理建议</translation>
    </message>
    <message>
        <source>{count} suggestions open</source>
        <translation>{count} 条待处理建议</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>sync stopped unexpectedly</source>
        <translation>同步意外停止</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>正在下载</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>正在上传</translation>
    </message>
    <message>
        <source>Publishing</source>
        <translation>正在发布</translation>
    </message>
    <message>
        <source>This project has no server.</source>
        <translation>此项目没有服务器。</translation>
    </message>
    <message>
        <source>local project</source>
        <translation>本地项目</translation>
    </message>
    <message>
        <source>Downloading the project for offline work…</source>
        <translation>正在下载项目以供离线工作…</translation>
    </message>
    <message>
        <source>First sync</source>
        <translation>首次同步</translation>
    </message>
    <message>
        <source>{stage}: {done} of {total}</source>
        <translation>{stage}：{done} / {total}</translation>
    </message>
    <message>
        <source>Secure connection failed (TLS): {message}</source>
        <translation>安全连接失败（TLS）：{message}</translation>
    </message>
    <message>
        <source>Fix the certificate or the server address, then F5 syncs again.</source>
        <translation>请修正证书或服务器地址，然后按 F5 重新同步。</translation>
    </message>
    <message>
        <source>Sync failed: {message}</source>
        <translation>同步失败：{message}</translation>
    </message>
    <message>
        <source>Sync failed.</source>
        <translation>同步失败。</translation>
    </message>
    <message>
        <source>Next try in {delay}; F5 syncs now.</source>
        <translation>将在 {delay}后重试；按 F5 立即同步。</translation>
    </message>
    <message>
        <source>F5 syncs again.</source>
        <translation>按 F5 重新同步。</translation>
    </message>
    <message>
        <source>No sync has run yet.</source>
        <translation>尚未进行过同步。</translation>
    </message>
    <message>
        <source>State: {state}</source>
        <translation>状态：{state}</translation>
    </message>
    <message>
        <source>Last sync: {time}</source>
        <translation>上次同步：{time}</translation>
    </message>
    <message>
        <source>Pending images: {pending}; conflicts: {conflicts}</source>
        <translation>待同步图像：{pending}；冲突：{conflicts}</translation>
    </message>
    <message>
        <source>Sync details</source>
        <translation>同步详情</translation>
    </message>
    <message>
        <source>Could not resolve the conflict</source>
        <translation>无法解决冲突</translation>
    </message>
    <message>
        <source>Already connected</source>
        <translation>已经连接</translation>
    </message>
    <message>
        <source>This project syncs with a server already.</source>
        <translation>此项目已在与一个服务器同步。</translation>
    </message>
    <message>
        <source>{count} s</source>
        <translation>{count} 秒</translation>
    </message>
    <message>
        <source>{count} min</source>
        <translation>{count} 分钟</translation>
    </message>
    <message>
        <source>not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>up to date</source>
        <translation>已是最新</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>sign-in needed</source>
        <translation>需要登录</translation>
    </message>
    <message>
        <source>TLS problem</source>
        <translation>TLS 问题</translation>
    </message>
    <message>
        <source>sync error</source>
        <translation>同步错误</translation>
    </message>
    <message>
        <source>sync cancelled</source>
        <translation>同步已取消</translation>
    </message>
    <message>
        <source>{count} pending</source>
        <translation>{count} 个待同步</translation>
    </message>
    <message>
        <source>{count} conflict</source>
        <translation>{count} 个冲突</translation>
    </message>
    <message>
        <source>{count} conflicts</source>
        <translation>{count} 个冲突</translation>
    </message>
    <message>
        <source>{count} not synced</source>
        <translation>{count} 个未同步</translation>
    </message>
    <message>
        <source>retrying in {delay}</source>
        <translation>{delay}后重试</translation>
    </message>
    <message>
        <source>Click for sync details</source>
        <translation>点击查看同步详情</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>保留我的</translation>
    </message>
    <message>
        <source>Take theirs</source>
        <translation>采用对方的</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>两者都保留</translation>
    </message>
    <message>
        <source>No conflicts.</source>
        <translation>没有冲突。</translation>
    </message>
</context>
<context>
    <name>TagPanel</name>
    <message>
        <source>+ Tag class…</source>
        <translation>+ 标签类别…</translation>
    </message>
    <message>
        <source>Add a class that tags the whole image</source>
        <translation>添加一个为整张图像打标签的类别</translation>
    </message>
    <message>
        <source>No tag classes yet: add one to tag whole images.</source>
        <translation>还没有标签类别：添加一个即可为整张图像打标签。</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Name, question and options of the tag class</source>
        <translation>标签类别的名称、问题和选项</translation>
    </message>
</context>
<context>
    <name>TileLayer</name>
    <message>
        <source>decoding the image…</source>
        <translation>正在解码图像…</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>1 point</source>
        <translation>1 个点</translation>
    </message>
    <message>
        <source>{count} points</source>
        <translation>{count} 个点</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>{tool} {size} px   [ and ] resize</source>
        <translation>{tool} {size} 像素   [ 和 ] 调整大小</translation>
    </message>
    <message>
        <source>select a mask to erase from</source>
        <translation>请选择要擦除的掩码</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>GrabCut found no object in the box</source>
        <translation>GrabCut 未在框内找到对象</translation>
    </message>
    <message>
        <source>pick a class with a skeleton to place keypoints (Edit… adds its points)</source>
        <translation>请选择带骨架的类别来放置关键点（“编辑…”可添加其骨架点）</translation>
    </message>
    <message>
        <source>every point was skipped, so nothing was added</source>
        <translation>所有点都被跳过，因此未添加任何内容</translation>
    </message>
    <message>
        <source>label at least one point before finishing</source>
        <translation>结束前请至少标注一个点</translation>
    </message>
    <message>
        <source>next: {name} ({number}/{count}) · Shift+click occluded · X skip</source>
        <translation>下一个：{name}（{number}/{count}）· Shift+点击 被遮挡 · X 跳过</translation>
    </message>
    <message>
        <source>Enter finish · Backspace undo point</source>
        <translation>Enter 结束 · Backspace 撤回点</translation>
    </message>
    <message>
        <source>click to place a point</source>
        <translation>点击放置一个点</translation>
    </message>
    <message>
        <source>click the first point, double-click or Enter to close</source>
        <translation>点击第一个点、双击或按 Enter 闭合</translation>
    </message>
    <message>
        <source>hole in the selected polygon</source>
        <translation>在所选多边形中挖孔</translation>
    </message>
    <message>
        <source>new part of the selected polygon</source>
        <translation>所选多边形的新分块</translation>
    </message>
    <message>
        <source>a polygon needs at least 3 distinct points, this one has {count}</source>
        <translation>多边形至少需要 3 个不同的点，当前只有 {count} 个</translation>
    </message>
    <message>
        <source>cannot close: {error}</source>
        <translation>无法闭合：{error}</translation>
    </message>
    <message>
        <source>the polygon this ring was meant for is gone; press Esc</source>
        <translation>此环所属的多边形已不存在；请按 Esc</translation>
    </message>
    <message>
        <source>click to place the first point · with one polygon selected, Ctrl+click starts a hole, Shift+click a new part</source>
        <translation>点击放置第一个点 · 选中一个多边形时，Ctrl+点击开始挖孔，Shift+点击开始新分块</translation>
    </message>
    <message>
        <source>double-click or Enter to finish · Backspace removes the last point</source>
        <translation>双击或按 Enter 结束 · Backspace 删除最后一个点</translation>
    </message>
    <message>
        <source>cannot finish: {error}</source>
        <translation>无法结束：{error}</translation>
    </message>
    <message>
        <source>click to place the first point</source>
        <translation>点击放置第一个点</translation>
    </message>
    <message>
        <source>click on an object&apos;s edge to start; the outline follows edges between clicks</source>
        <translation>点击对象边缘开始；两次点击之间的轮廓会贴合边缘</translation>
    </message>
    <message>
        <source>click the first point, double-click or Enter to close · Backspace undoes a stretch</source>
        <translation>点击第一个点、双击或按 Enter 闭合 · Backspace 撤回一段</translation>
    </message>
    <message>
        <source>an outline needs at least 3 distinct points</source>
        <translation>轮廓至少需要 3 个不同的点</translation>
    </message>
    <message>
        <source>no segmentation model installed (Tools → Models… adds one)</source>
        <translation>未安装分割模型（可通过 工具 → 模型… 添加）</translation>
    </message>
    <message>
        <source>click the object (Alt+click: not this), or drag a box · Tab: keep as polygon</source>
        <translation>点击对象（Alt+点击：排除此处），或拖出矩形框 · Tab：保存为多边形</translation>
    </message>
    <message>
        <source>click the object (Alt+click: not this), or drag a box · Tab: keep as mask</source>
        <translation>点击对象（Alt+点击：排除此处），或拖出矩形框 · Tab：保存为掩码</translation>
    </message>
    <message>
        <source>{points} · Enter keeps the polygon · Backspace undoes</source>
        <translation>{points} · Enter 保存多边形 · Backspace 撤回</translation>
    </message>
    <message>
        <source>{points} · Enter keeps the mask · Backspace undoes</source>
        <translation>{points} · Enter 保存掩码 · Backspace 撤回</translation>
    </message>
    <message>
        <source>the model is still reading this image; the mask follows when it is done</source>
        <translation>模型仍在读取此图像；完成后将显示掩码</translation>
    </message>
    <message>
        <source>the image&apos;s encoding was stopped; click again</source>
        <translation>图像编码已停止；请再次点击</translation>
    </message>
    <message>
        <source>this image cannot be segmented (unreadable, or too large to decode whole)</source>
        <translation>无法分割此图像（无法读取，或过大而无法完整解码）</translation>
    </message>
    <message>
        <source>the model found nothing here; add or move a point</source>
        <translation>模型在此处未找到任何内容；请添加或移动一个点</translation>
    </message>
    <message>
        <source>cannot insert a vertex: {error}</source>
        <translation>无法插入顶点：{error}</translation>
    </message>
    <message>
        <source>Tolerance {tolerance}   [ and ] change it   Shift adds, Alt subtracts</source>
        <translation>容差 {tolerance}   [ 和 ] 调整   Shift 添加，Alt 减去</translation>
    </message>
</context>
<context>
    <name>WindowLayout</name>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>{name} toolbar</source>
        <translation>{name}工具栏</translation>
    </message>
</context>
<context>
    <name>WindowLevel</name>
    <message>
        <source>Window/level applies to 16-bit and float images</source>
        <translation>窗宽/窗位仅适用于 16 位和浮点图像</translation>
    </message>
    <message>
        <source>Window / level</source>
        <translation>窗宽 / 窗位</translation>
    </message>
    <message>
        <source>Auto (0.5–99.5 percentiles)</source>
        <translation>自动（0.5–99.5 百分位）</translation>
    </message>
    <message>
        <source>Black at</source>
        <translation>黑点</translation>
    </message>
    <message>
        <source>White at</source>
        <translation>白点</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>new</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>box</source>
        <translation>矩形框</translation>
    </message>
    <message>
        <source>rotated box</source>
        <translation>旋转框</translation>
    </message>
    <message>
        <source>polygon</source>
        <translation>多边形</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>掩码</translation>
    </message>
    <message>
        <source>keypoints</source>
        <translation>关键点</translation>
    </message>
    <message>
        <source>skeleton</source>
        <translation>骨架</translation>
    </message>
    <message>
        <source>polyline</source>
        <translation>折线</translation>
    </message>
    <message>
        <source>point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>ellipse</source>
        <translation>椭圆</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>annotate</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>review</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>one choice</source>
        <translation>单选</translation>
    </message>
    <message>
        <source>several choices</source>
        <translation>多选</translation>
    </message>
    <message>
        <source>free text</source>
        <translation>自由文本</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数字</translation>
    </message>
</context>
</TS>
