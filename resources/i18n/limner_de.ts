<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About limner</source>
        <translation>Über limner</translation>
    </message>
    <message>
        <source>Image labeling: boxes, polygons, masks and skeletons, offline first, synced with annotation servers.</source>
        <translation>Bilder beschriften: Rechtecke, Polygone, Masken und Skelette, zuerst offline, abgeglichen mit Annotationsservern.</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
</context>
<context>
    <name>Actions</name>
    <message>
        <source>{action} {detail}</source>
        <translation>{action}: {detail}</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;Prüfung</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>New project…</source>
        <translation>Neues Projekt…</translation>
    </message>
    <message>
        <source>A project from a folder of images</source>
        <translation>Ein Projekt aus einem Bildordner</translation>
    </message>
    <message>
        <source>Open project…</source>
        <translation>Projekt öffnen…</translation>
    </message>
    <message>
        <source>Open a project folder</source>
        <translation>Einen Projektordner öffnen</translation>
    </message>
    <message>
        <source>Clone from server…</source>
        <translation>Vom Server klonen…</translation>
    </message>
    <message>
        <source>A new project from a project on a server</source>
        <translation>Ein neues Projekt aus einem Projekt auf einem Server</translation>
    </message>
    <message>
        <source>Close project</source>
        <translation>Projekt schließen</translation>
    </message>
    <message>
        <source>Close this project and show the start page</source>
        <translation>Dieses Projekt schließen und die Startseite zeigen</translation>
    </message>
    <message>
        <source>Add images…</source>
        <translation>Bilder hinzufügen…</translation>
    </message>
    <message>
        <source>Add image files</source>
        <translation>Bilddateien hinzufügen</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add a folder of images</source>
        <translation>Einen Bildordner hinzufügen</translation>
    </message>
    <message>
        <source>Import annotations…</source>
        <translation>Annotationen importieren…</translation>
    </message>
    <message>
        <source>Import COCO, YOLO, Pascal VOC, labelme or CVAT annotations</source>
        <translation>Annotationen aus COCO, YOLO, Pascal VOC, labelme oder CVAT importieren</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Export annotations to COCO, YOLO, Pascal VOC, labelme or CVAT</source>
        <translation>Annotationen als COCO, YOLO, Pascal VOC, labelme oder CVAT exportieren</translation>
    </message>
    <message>
        <source>Connect to server…</source>
        <translation>Mit Server verbinden…</translation>
    </message>
    <message>
        <source>Sync with a server</source>
        <translation>Mit einem Server abgleichen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Jetzt abgleichen</translation>
    </message>
    <message>
        <source>Synchronize with the server</source>
        <translation>Mit dem Server abgleichen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo the last edit</source>
        <translation>Die letzte Änderung rückgängig machen</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the selection</source>
        <translation>Die Auswahl kopieren</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Einfügen</translation>
    </message>
    <message>
        <source>Paste on this image</source>
        <translation>In dieses Bild einfügen</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Duplicate the selection</source>
        <translation>Die Auswahl duplizieren</translation>
    </message>
    <message>
        <source>Paste into next image</source>
        <translation>In das nächste Bild einfügen</translation>
    </message>
    <message>
        <source>Copy the selection onto the next image</source>
        <translation>Die Auswahl in das nächste Bild kopieren</translation>
    </message>
    <message>
        <source>Bring to front</source>
        <translation>In den Vordergrund</translation>
    </message>
    <message>
        <source>Send to back</source>
        <translation>In den Hintergrund</translation>
    </message>
    <message>
        <source>Hide/show selection</source>
        <translation>Auswahl aus-/einblenden</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Alle einblenden</translation>
    </message>
    <message>
        <source>Lock/unlock selection</source>
        <translation>Auswahl sperren/entsperren</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppieren</translation>
    </message>
    <message>
        <source>Make the selected shapes one object: they move, copy and delete together</source>
        <translation>Die ausgewählten Formen zu einem Objekt machen: sie werden gemeinsam verschoben, kopiert und gelöscht</translation>
    </message>
    <message>
        <source>Ungroup</source>
        <translation>Gruppierung aufheben</translation>
    </message>
    <message>
        <source>Dissolve the groups of the selection</source>
        <translation>Die Gruppen der Auswahl auflösen</translation>
    </message>
    <message>
        <source>Polygons to mask</source>
        <translation>Polygone in Maske</translation>
    </message>
    <message>
        <source>Fill the selected polygons into masks</source>
        <translation>Die ausgewählten Polygone als Masken füllen</translation>
    </message>
    <message>
        <source>Masks to polygons</source>
        <translation>Masken in Polygone</translation>
    </message>
    <message>
        <source>Trace the selected masks (holes and parts kept)</source>
        <translation>Die ausgewählten Masken nachzeichnen (Löcher und Teile bleiben erhalten)</translation>
    </message>
    <message>
        <source>Boxes to polygons</source>
        <translation>Rechtecke in Polygone</translation>
    </message>
    <message>
        <source>Each selected box (rotated or not) becomes its four corners</source>
        <translation>Jedes ausgewählte Rechteck (gedreht oder nicht) wird zu seinen vier Ecken</translation>
    </message>
    <message>
        <source>Polygons to rotated boxes</source>
        <translation>Polygone in gedrehte Rechtecke</translation>
    </message>
    <message>
        <source>Each selected polygon becomes the smallest rotated box around it</source>
        <translation>Jedes ausgewählte Polygon wird zum kleinsten gedrehten Rechteck um es herum</translation>
    </message>
    <message>
        <source>Ellipses to polygons…</source>
        <translation>Ellipsen in Polygone…</translation>
    </message>
    <message>
        <source>Each selected ellipse becomes a polygon with a chosen vertex count</source>
        <translation>Jede ausgewählte Ellipse wird zu einem Polygon mit wählbarer Eckenzahl</translation>
    </message>
    <message>
        <source>Close polylines into polygons</source>
        <translation>Linienzüge zu Polygonen schließen</translation>
    </message>
    <message>
        <source>Each selected polyline is closed into a polygon</source>
        <translation>Jeder ausgewählte Linienzug wird zu einem Polygon geschlossen</translation>
    </message>
    <message>
        <source>Simplify polygons…</source>
        <translation>Polygone vereinfachen…</translation>
    </message>
    <message>
        <source>Douglas–Peucker with a tolerance</source>
        <translation>Douglas–Peucker mit einer Toleranz</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the selection</source>
        <translation>Die Auswahl löschen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel the gesture or selection</source>
        <translation>Die Geste oder die Auswahl abbrechen</translation>
    </message>
    <message>
        <source>Preferences…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Theme, mouse wheel, sync, caches, your name</source>
        <translation>Farbschema, Mausrad, Abgleich, Zwischenspeicher, Ihr Name</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit the image in the window</source>
        <translation>Das Bild in das Fenster einpassen</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100 %</translation>
    </message>
    <message>
        <source>Show at 100%</source>
        <translation>In 100 % zeigen</translation>
    </message>
    <message>
        <source>Window/level…</source>
        <translation>Fenster/Pegel…</translation>
    </message>
    <message>
        <source>Black and white points of 16-bit and float images</source>
        <translation>Schwarz- und Weißpunkt von 16-Bit- und Gleitkommabildern</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>Vollbild</translation>
    </message>
    <message>
        <source>Fill the screen with the window</source>
        <translation>Das Fenster bildschirmfüllend zeigen</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>Anordnung zurücksetzen</translation>
    </message>
    <message>
        <source>Put every panel back where it started</source>
        <translation>Jedes Fenster an seinen ursprünglichen Platz zurücksetzen</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>Auswählen</translation>
    </message>
    <message>
        <source>Select and edit</source>
        <translation>Auswählen und bearbeiten</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Rechteck</translation>
    </message>
    <message>
        <source>Draw boxes</source>
        <translation>Rechtecke zeichnen</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <source>Draw polygons</source>
        <translation>Polygone zeichnen</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Pinsel</translation>
    </message>
    <message>
        <source>Paint a mask ([ and ] change the size)</source>
        <translation>Eine Maske malen ([ und ] ändern die Größe)</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Radierer</translation>
    </message>
    <message>
        <source>Erase from the selected mask</source>
        <translation>Aus der ausgewählten Maske radieren</translation>
    </message>
    <message>
        <source>Magic wand</source>
        <translation>Zauberstab</translation>
    </message>
    <message>
        <source>Select a region of similar color</source>
        <translation>Einen Bereich ähnlicher Farbe auswählen</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut</translation>
    </message>
    <message>
        <source>Drag a box around an object to cut it out</source>
        <translation>Ein Rechteck um ein Objekt ziehen, um es freizustellen</translation>
    </message>
    <message>
        <source>Intelligent scissors</source>
        <translation>Intelligente Schere</translation>
    </message>
    <message>
        <source>Click along an outline; it follows edges</source>
        <translation>Entlang einer Kontur klicken; sie folgt den Kanten</translation>
    </message>
    <message>
        <source>Click to segment</source>
        <translation>Klicken zum Segmentieren</translation>
    </message>
    <message>
        <source>Click an object, a model outlines it</source>
        <translation>Ein Objekt anklicken, ein Modell umreißt es</translation>
    </message>
    <message>
        <source>Keypoints</source>
        <translation>Schlüsselpunkte</translation>
    </message>
    <message>
        <source>Place skeleton keypoints</source>
        <translation>Schlüsselpunkte eines Skeletts setzen</translation>
    </message>
    <message>
        <source>Polyline</source>
        <translation>Linienzug</translation>
    </message>
    <message>
        <source>Draw open lines (Enter or double-click finishes)</source>
        <translation>Offene Linien zeichnen (Eingabe oder Doppelklick beendet)</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>Punkt</translation>
    </message>
    <message>
        <source>Place points, one per click</source>
        <translation>Punkte setzen, einen je Klick</translation>
    </message>
    <message>
        <source>Ellipse</source>
        <translation>Ellipse</translation>
    </message>
    <message>
        <source>Drag an ellipse (Shift: circle)</source>
        <translation>Eine Ellipse aufziehen (Umschalt: Kreis)</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelle…</translation>
    </message>
    <message>
        <source>The installed models: add one from files or a URL, remove one</source>
        <translation>Die installierten Modelle: aus Dateien oder einer URL hinzufügen, entfernen</translation>
    </message>
    <message>
        <source>Pre-label this image</source>
        <translation>Dieses Bild vorbeschriften</translation>
    </message>
    <message>
        <source>Run the installed detector; its results arrive as suggestions</source>
        <translation>Den installierten Detektor ausführen; seine Ergebnisse kommen als Vorschläge</translation>
    </message>
    <message>
        <source>Pre-label all listed images</source>
        <translation>Alle aufgelisteten Bilder vorbeschriften</translation>
    </message>
    <message>
        <source>Run the installed detector over every image the list shows, in the background</source>
        <translation>Den installierten Detektor im Hintergrund über jedes Bild der Liste laufen lassen</translation>
    </message>
    <message>
        <source>ML backend…</source>
        <translation>ML-Backend…</translation>
    </message>
    <message>
        <source>The Label Studio ML backend this project asks for suggestions</source>
        <translation>Das Label-Studio-ML-Backend, das dieses Projekt um Vorschläge bittet</translation>
    </message>
    <message>
        <source>Suggest</source>
        <translation>Vorschlagen</translation>
    </message>
    <message>
        <source>Ask the project&apos;s ML backend about this image</source>
        <translation>Das ML-Backend des Projekts zu diesem Bild befragen</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>Nächstes Bild</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>Vorheriges Bild</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>About limner</source>
        <translation>Über limner</translation>
    </message>
    <message>
        <source>Version, licence and folders</source>
        <translation>Version, Lizenz und Ordner</translation>
    </message>
    <message>
        <source>Class {n}</source>
        <translation>Klasse {n}</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>Annotieren</translation>
    </message>
    <message>
        <source>Annotate mode</source>
        <translation>Annotationsmodus</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Review mode</source>
        <translation>Prüfmodus</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>Abgeben</translation>
    </message>
    <message>
        <source>Submit and open the next image</source>
        <translation>Abgeben und das nächste Bild öffnen</translation>
    </message>
    <message>
        <source>Skip…</source>
        <translation>Überspringen…</translation>
    </message>
    <message>
        <source>Skip this image, with a reason</source>
        <translation>Dieses Bild mit Begründung überspringen</translation>
    </message>
    <message>
        <source>Next unlabeled</source>
        <translation>Nächstes unbeschriftetes</translation>
    </message>
    <message>
        <source>Next image that needs labels</source>
        <translation>Nächstes Bild, das noch Beschriftungen braucht</translation>
    </message>
    <message>
        <source>Next rejected</source>
        <translation>Nächstes abgelehntes</translation>
    </message>
    <message>
        <source>Next rejected image</source>
        <translation>Nächstes abgelehntes Bild</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Approve and open the next image</source>
        <translation>Freigeben und das nächste Bild öffnen</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>Ablehnen…</translation>
    </message>
    <message>
        <source>Reject with a comment</source>
        <translation>Mit einem Kommentar ablehnen</translation>
    </message>
    <message>
        <source>Add remark…</source>
        <translation>Anmerkung hinzufügen…</translation>
    </message>
    <message>
        <source>Pin a remark to the selection or the cursor</source>
        <translation>Eine Anmerkung an die Auswahl oder den Mauszeiger heften</translation>
    </message>
    <message>
        <source>Changes since last review</source>
        <translation>Änderungen seit der letzten Prüfung</translation>
    </message>
    <message>
        <source>Show added, changed and removed shapes</source>
        <translation>Hinzugefügte, geänderte und entfernte Formen zeigen</translation>
    </message>
    <message>
        <source>Progress…</source>
        <translation>Fortschritt…</translation>
    </message>
    <message>
        <source>Counts and charts</source>
        <translation>Zahlen und Diagramme</translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation>Demo öffnen</translation>
    </message>
    <message>
        <source>The demo project</source>
        <translation>Das Demoprojekt</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <source>Middle-drag, Space+drag</source>
        <translation>Mit mittlerer Maustaste ziehen, Leertaste+Ziehen</translation>
    </message>
    <message>
        <source>Scroll (Shift: sideways); trackpads scroll too</source>
        <translation>Rollen (Umschalt: seitwärts); Trackpads rollen auch</translation>
    </message>
    <message>
        <source>Wheel</source>
        <translation>Mausrad</translation>
    </message>
    <message>
        <source>Zoom at the cursor</source>
        <translation>Am Mauszeiger zoomen</translation>
    </message>
    <message>
        <source>Ctrl+Wheel</source>
        <translation>Strg+Mausrad</translation>
    </message>
    <message>
        <source>Brush size / wand tolerance</source>
        <translation>Pinselgröße / Zauberstab-Toleranz</translation>
    </message>
    <message>
        <source>[ and ]</source>
        <translation>[ und ]</translation>
    </message>
    <message>
        <source>Polygon: close / remove last vertex</source>
        <translation>Polygon: schließen / letzte Ecke entfernen</translation>
    </message>
    <message>
        <source>Polygon: draw a hole / add a part</source>
        <translation>Polygon: ein Loch zeichnen / einen Teil hinzufügen</translation>
    </message>
    <message>
        <source>Ctrl / Shift at the first click</source>
        <translation>Strg / Umschalt beim ersten Klick</translation>
    </message>
    <message>
        <source>Scissors: close / take back the last stretch</source>
        <translation>Schere: schließen / letztes Stück zurücknehmen</translation>
    </message>
    <message>
        <source>Segment: not this / keep / mask or polygon</source>
        <translation>Segmentieren: nicht dies / behalten / Maske oder Polygon</translation>
    </message>
    <message>
        <source>Alt+click / Enter / Tab</source>
        <translation>Alt+Klick / Eingabe / Tab</translation>
    </message>
    <message>
        <source>Keypoints: occluded / skip</source>
        <translation>Schlüsselpunkte: verdeckt / überspringen</translation>
    </message>
    <message>
        <source>Shift+click / X</source>
        <translation>Umschalt+Klick / X</translation>
    </message>
    <message>
        <source>Image tags: toggle an option (shown on its button)</source>
        <translation>Bild-Tags: eine Option umschalten (auf ihrer Schaltfläche angegeben)</translation>
    </message>
    <message>
        <source>Polyline: finish / remove last vertex</source>
        <translation>Linienzug: beenden / letzte Ecke entfernen</translation>
    </message>
    <message>
        <source>Enter or double-click / Backspace</source>
        <translation>Eingabe oder Doppelklick / Rücktaste</translation>
    </message>
    <message>
        <source>Ellipse: draw a circle</source>
        <translation>Ellipse: einen Kreis zeichnen</translation>
    </message>
    <message>
        <source>Shift while dragging</source>
        <translation>Umschalt beim Ziehen</translation>
    </message>
    <message>
        <source>Box or ellipse: rotate (Shift snaps to 15°)</source>
        <translation>Rechteck oder Ellipse: drehen (Umschalt rastet in 15°-Schritten)</translation>
    </message>
    <message>
        <source>Drag the round handle above it</source>
        <translation>Den runden Griff darüber ziehen</translation>
    </message>
    <message>
        <source>Polyline vertex: move / delete / insert</source>
        <translation>Ecke eines Linienzugs: verschieben / löschen / einfügen</translation>
    </message>
    <message>
        <source>Drag / Alt+click / double-click an edge</source>
        <translation>Ziehen / Alt+Klick / Doppelklick auf eine Kante</translation>
    </message>
</context>
<context>
    <name>AnnotationList</name>
    <message>
        <source>(no class)</source>
        <translation>(keine Klasse)</translation>
    </message>
    <message>
        <source>List only my shapes</source>
        <translation>Nur meine Formen auflisten</translation>
    </message>
    <message>
        <source>List only {name}&apos;s shapes</source>
        <translation>Nur die Formen von {name} auflisten</translation>
    </message>
    <message>
        <source>Select my shapes</source>
        <translation>Meine Formen auswählen</translation>
    </message>
    <message>
        <source>Select {name}&apos;s shapes</source>
        <translation>Die Formen von {name} auswählen</translation>
    </message>
    <message>
        <source>List everyone&apos;s shapes</source>
        <translation>Die Formen aller auflisten</translation>
    </message>
    <message>
        <source>Author: you</source>
        <translation>Autor: Sie</translation>
    </message>
    <message>
        <source>Author: {name} (you)</source>
        <translation>Autor: {name} (Sie)</translation>
    </message>
    <message>
        <source>Author: {name}</source>
        <translation>Autor: {name}</translation>
    </message>
    <message>
        <source>Only my shapes: {shown} of {total} (click to list all)</source>
        <translation>Nur meine Formen: {shown} von {total} (klicken, um alle aufzulisten)</translation>
    </message>
    <message>
        <source>Only {name}&apos;s shapes: {shown} of {total} (click to list all)</source>
        <translation>Nur die Formen von {name}: {shown} von {total} (klicken, um alle aufzulisten)</translation>
    </message>
    <message>
        <source>proposed by {model}</source>
        <translation>vorgeschlagen von {model}</translation>
    </message>
    <message>
        <source>(hidden)</source>
        <translation>(ausgeblendet)</translation>
    </message>
</context>
<context>
    <name>Assist</name>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>no {kind} model is installed (Tools → Models…)</source>
        <translation>kein Modell der Art {kind} ist installiert (Werkzeuge → Modelle…)</translation>
    </message>
    <message>
        <source>ML backend</source>
        <translation>ML-Backend</translation>
    </message>
    <message>
        <source>Label Studio ML backend URL for this project:</source>
        <translation>URL des Label-Studio-ML-Backends für dieses Projekt:</translation>
    </message>
    <message>
        <source>no backend URL is set for this project</source>
        <translation>für dieses Projekt ist keine Backend-URL eingestellt</translation>
    </message>
    <message>
        <source>The ML backend suggested {count} shape</source>
        <translation>Das ML-Backend hat {count} Form vorgeschlagen</translation>
    </message>
    <message>
        <source>The ML backend suggested {count} shapes</source>
        <translation>Das ML-Backend hat {count} Formen vorgeschlagen</translation>
    </message>
    <message>
        <source>no detector model is installed (Tools → Models…)</source>
        <translation>kein Detektormodell ist installiert (Werkzeuge → Modelle…)</translation>
    </message>
    <message>
        <source>Pre-labeling…</source>
        <translation>Vorbeschriften…</translation>
    </message>
    <message>
        <source>Pre-labels</source>
        <translation>Vorbeschriftungen</translation>
    </message>
    <message>
        <source>Pre-labels: {done} of {total} images done</source>
        <translation>Vorbeschriftungen: {done} von {total} Bildern fertig</translation>
    </message>
    <message>
        <source>Pre-labels stopped: {error}</source>
        <translation>Vorbeschriftung angehalten: {error}</translation>
    </message>
</context>
<context>
    <name>AttributeEditor</name>
    <message>
        <source>Select one annotation to edit its attributes.</source>
        <translation>Eine Annotation auswählen, um ihre Attribute zu bearbeiten.</translation>
    </message>
    <message>
        <source>This class has no attributes (add them in the class dialog).</source>
        <translation>Diese Klasse hat keine Attribute (im Klassendialog hinzufügen).</translation>
    </message>
</context>
<context>
    <name>ChangesOverlay</name>
    <message>
        <source>added</source>
        <translation>hinzugefügt</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>geändert</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>entfernt</translation>
    </message>
</context>
<context>
    <name>ClassDialog</name>
    <message>
        <source>Edit class</source>
        <translation>Klasse bearbeiten</translation>
    </message>
    <message>
        <source>New class</source>
        <translation>Neue Klasse</translation>
    </message>
    <message>
        <source>Pick…</source>
        <translation>Wählen…</translation>
    </message>
    <message>
        <source>position 1–9 if empty</source>
        <translation>Position 1–9, wenn leer</translation>
    </message>
    <message>
        <source>occluded: bool
color: choice = red | green
tags: multi = a | b
note: text
count: number</source>
        <translation>verdeckt: bool
farbe: choice = rot | grün
merkmale: multi = a | b
notiz: text
anzahl: number</translation>
    </message>
    <message>
        <source>head, neck, l_shoulder, r_shoulder</source>
        <translation>kopf, hals, l_schulter, r_schulter</translation>
    </message>
    <message>
        <source>head-neck, neck-l_shoulder</source>
        <translation>kopf-hals, hals-l_schulter</translation>
    </message>
    <message>
        <source>l_shoulder/r_shoulder</source>
        <translation>l_schulter/r_schulter</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Hotkey</source>
        <translation>Taste</translation>
    </message>
    <message>
        <source>Tag answers</source>
        <translation>Tag-Antworten</translation>
    </message>
    <message>
        <source>Tag options</source>
        <translation>Tag-Optionen</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>Attribute</translation>
    </message>
    <message>
        <source>Skeleton points</source>
        <translation>Skelettpunkte</translation>
    </message>
    <message>
        <source>Skeleton edges</source>
        <translation>Skelettkanten</translation>
    </message>
    <message>
        <source>Left/right pairs</source>
        <translation>Links/rechts-Paare</translation>
    </message>
    <message>
        <source>sunny | cloudy | rainy</source>
        <translation>sonnig | bewölkt | regnerisch</translation>
    </message>
    <message>
        <source>Class color</source>
        <translation>Klassenfarbe</translation>
    </message>
    <message>
        <source>a class needs a name</source>
        <translation>eine Klasse braucht einen Namen</translation>
    </message>
    <message>
        <source>color {color}: write it as #rrggbb</source>
        <translation>Farbe {color}: als #rrggbb schreiben</translation>
    </message>
    <message>
        <source>a tag class has no skeleton; clear its points</source>
        <translation>eine Tag-Klasse hat kein Skelett; bitte ihre Punkte leeren</translation>
    </message>
    <message>
        <source>a keypoints class needs skeleton points</source>
        <translation>eine Schlüsselpunkt-Klasse braucht Skelettpunkte</translation>
    </message>
</context>
<context>
    <name>ClassPanel</name>
    <message>
        <source>Add a class</source>
        <translation>Eine Klasse hinzufügen</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Rename the class</source>
        <translation>Die Klasse umbenennen</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Change the class color</source>
        <translation>Die Klassenfarbe ändern</translation>
    </message>
    <message>
        <source>Delete the class</source>
        <translation>Die Klasse löschen</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Kind, hotkey, attributes and skeleton of the class</source>
        <translation>Art, Taste, Attribute und Skelett der Klasse</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Hide the class&apos;s shapes</source>
        <translation>Die Formen der Klasse ausblenden</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <source>Lock the class&apos;s shapes</source>
        <translation>Die Formen der Klasse sperren</translation>
    </message>
    <message>
        <source>hidden</source>
        <translation>ausgeblendet</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>gesperrt</translation>
    </message>
    <message>
        <source>the current tool cannot draw this class</source>
        <translation>das aktuelle Werkzeug kann diese Klasse nicht zeichnen</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>Klasse hinzufügen</translation>
    </message>
    <message>
        <source>Name of the new class:</source>
        <translation>Name der neuen Klasse:</translation>
    </message>
    <message>
        <source>Rename class</source>
        <translation>Klasse umbenennen</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Neuer Name:</translation>
    </message>
    <message>
        <source>Color of {name}</source>
        <translation>Farbe von {name}</translation>
    </message>
    <message>
        <source>Delete class</source>
        <translation>Klasse löschen</translation>
    </message>
    <message>
        <source>Delete the class “{name}”? Its annotations stay, without a class (Undo brings the class back).</source>
        <translation>Die Klasse „{name}“ löschen? Ihre Annotationen bleiben, ohne Klasse (Rückgängig holt die Klasse zurück).</translation>
    </message>
</context>
<context>
    <name>Commands</name>
    <message>
        <source>Add tag class</source>
        <translation>Tag-Klasse hinzufügen</translation>
    </message>
    <message>
        <source>Accept {label}</source>
        <translation>{label} annehmen</translation>
    </message>
    <message>
        <source>Reject {label}</source>
        <translation>{label} verwerfen</translation>
    </message>
    <message>
        <source>Accept {count} suggestions ≥ {threshold}</source>
        <translation>{count} Vorschläge ≥ {threshold} annehmen</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Einfügen</translation>
    </message>
    <message>
        <source>Add annotation</source>
        <translation>Annotation hinzufügen</translation>
    </message>
    <message>
        <source>Delete annotation</source>
        <translation>Annotation löschen</translation>
    </message>
    <message>
        <source>Edit annotation</source>
        <translation>Annotation bearbeiten</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>Klasse hinzufügen</translation>
    </message>
    <message>
        <source>Change class</source>
        <translation>Klasse ändern</translation>
    </message>
    <message>
        <source>Delete class</source>
        <translation>Klasse löschen</translation>
    </message>
    <message>
        <source>Set status</source>
        <translation>Status setzen</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppieren</translation>
    </message>
    <message>
        <source>Ungroup</source>
        <translation>Gruppierung aufheben</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <source>Delete {count} annotations</source>
        <translation>{count} Annotationen löschen</translation>
    </message>
    <message>
        <source>Paint mask</source>
        <translation>Maske malen</translation>
    </message>
    <message>
        <source>Convert annotations</source>
        <translation>Annotationen umwandeln</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Einblenden</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <source>Cannot read the image</source>
        <translation>Das Bild kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>Could not apply the edit</source>
        <translation>Die Änderung konnte nicht angewendet werden</translation>
    </message>
    <message>
        <source>Add class {name}</source>
        <translation>Klasse {name} hinzufügen</translation>
    </message>
    <message>
        <source>Some shapes were not pasted</source>
        <translation>Einige Formen wurden nicht eingefügt</translation>
    </message>
    <message>
        <source>{skipped} of {count} copied shapes lie outside this image.</source>
        <translation>{skipped} von {count} kopierten Formen liegen außerhalb dieses Bildes.</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Paste into next image</source>
        <translation>In das nächste Bild einfügen</translation>
    </message>
    <message>
        <source>Invalid attribute</source>
        <translation>Ungültiges Attribut</translation>
    </message>
    <message>
        <source>Could not convert</source>
        <translation>Umwandeln nicht möglich</translation>
    </message>
    <message>
        <source>Could not undo</source>
        <translation>Rückgängig machen nicht möglich</translation>
    </message>
    <message>
        <source>Could not redo</source>
        <translation>Wiederholen nicht möglich</translation>
    </message>
    <message>
        <source>Could not tag the image</source>
        <translation>Das Bild konnte nicht getaggt werden</translation>
    </message>
    <message>
        <source>Accept suggestion</source>
        <translation>Vorschlag annehmen</translation>
    </message>
    <message>
        <source>Reject suggestion</source>
        <translation>Vorschlag verwerfen</translation>
    </message>
    <message>
        <source>Clear {name}</source>
        <translation>{name} leeren</translation>
    </message>
    <message>
        <source>Tag {name}</source>
        <translation>{name} taggen</translation>
    </message>
    <message>
        <source>Change {name}</source>
        <translation>{name} ändern</translation>
    </message>
    <message>
        <source>Draw box</source>
        <translation>Rechteck zeichnen</translation>
    </message>
    <message>
        <source>{tool} stroke</source>
        <translation>{tool}-Strich</translation>
    </message>
    <message>
        <source>Convert to mask</source>
        <translation>In Maske umwandeln</translation>
    </message>
    <message>
        <source>Convert to polygon</source>
        <translation>In Polygon umwandeln</translation>
    </message>
    <message>
        <source>Convert box to polygon</source>
        <translation>Rechteck in Polygon umwandeln</translation>
    </message>
    <message>
        <source>Convert polygon to rotated box</source>
        <translation>Polygon in gedrehtes Rechteck umwandeln</translation>
    </message>
    <message>
        <source>Convert ellipse to polygon</source>
        <translation>Ellipse in Polygon umwandeln</translation>
    </message>
    <message>
        <source>Close polyline into polygon</source>
        <translation>Linienzug zu Polygon schließen</translation>
    </message>
    <message>
        <source>Draw shape</source>
        <translation>Form zeichnen</translation>
    </message>
    <message>
        <source>Draw ellipse</source>
        <translation>Ellipse zeichnen</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut</translation>
    </message>
    <message>
        <source>Place keypoints</source>
        <translation>Schlüsselpunkte setzen</translation>
    </message>
    <message>
        <source>Place point</source>
        <translation>Punkt setzen</translation>
    </message>
    <message>
        <source>Draw polygon</source>
        <translation>Polygon zeichnen</translation>
    </message>
    <message>
        <source>Cut hole</source>
        <translation>Loch schneiden</translation>
    </message>
    <message>
        <source>Add polygon part</source>
        <translation>Polygonteil hinzufügen</translation>
    </message>
    <message>
        <source>Draw polyline</source>
        <translation>Linienzug zeichnen</translation>
    </message>
    <message>
        <source>Intelligent scissors</source>
        <translation>Intelligente Schere</translation>
    </message>
    <message>
        <source>Segment with {model}</source>
        <translation>Mit {model} segmentieren</translation>
    </message>
    <message>
        <source>Resize box</source>
        <translation>Rechteckgröße ändern</translation>
    </message>
    <message>
        <source>Resize ellipse</source>
        <translation>Ellipsengröße ändern</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>Drehen</translation>
    </message>
    <message>
        <source>Move keypoint</source>
        <translation>Schlüsselpunkt verschieben</translation>
    </message>
    <message>
        <source>Move vertex</source>
        <translation>Ecke verschieben</translation>
    </message>
    <message>
        <source>Insert vertex</source>
        <translation>Ecke einfügen</translation>
    </message>
    <message>
        <source>Delete vertex</source>
        <translation>Ecke löschen</translation>
    </message>
    <message>
        <source>Magic wand</source>
        <translation>Zauberstab</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>Annotationen importieren</translation>
    </message>
    <message>
        <source>Import {format} annotations ({count} images)</source>
        <translation>{format}-Annotationen importieren ({count} Bilder)</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>Abgeben</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Überspringen</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Add remark</source>
        <translation>Anmerkung hinzufügen</translation>
    </message>
    <message>
        <source>Resolve remark</source>
        <translation>Anmerkung erledigen</translation>
    </message>
    <message>
        <source>Delete remark</source>
        <translation>Anmerkung löschen</translation>
    </message>
    <message>
        <source>Create queue</source>
        <translation>Warteschlange anlegen</translation>
    </message>
    <message>
        <source>Delete queue</source>
        <translation>Warteschlange löschen</translation>
    </message>
    <message>
        <source>Assign to queue</source>
        <translation>Einer Warteschlange zuweisen</translation>
    </message>
    <message>
        <source>Remove from queue</source>
        <translation>Aus der Warteschlange entfernen</translation>
    </message>
</context>
<context>
    <name>Connect</name>
    <message>
        <source>Connect to server</source>
        <translation>Mit Server verbinden</translation>
    </message>
    <message>
        <source>access token (kept in the OS keyring)</source>
        <translation>Zugriffstoken (im Schlüsselbund des Systems verwahrt)</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Publish this project: send its local images and labels</source>
        <translation>Dieses Projekt veröffentlichen: seine lokalen Bilder und Beschriftungen senden</translation>
    </message>
    <message>
        <source>or the title of a new server project</source>
        <translation>oder der Titel eines neuen Serverprojekts</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>New project</source>
        <translation>Neues Projekt</translation>
    </message>
    <message>
        <source>Publishing: {refusal}</source>
        <translation>Veröffentlichen: {refusal}</translation>
    </message>
    <message>
        <source>Could not connect: {error}</source>
        <translation>Verbindung fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <source>Connected: {count} project.</source>
        <translation>Verbunden: {count} Projekt.</translation>
    </message>
    <message>
        <source>Connected: {count} projects.</source>
        <translation>Verbunden: {count} Projekte.</translation>
    </message>
    <message>
        <source>Connected, but this account sees no project.</source>
        <translation>Verbunden, aber dieses Konto sieht kein Projekt.</translation>
    </message>
    <message>
        <source>project id, e.g. 3</source>
        <translation>Projekt-ID, z. B. 3</translation>
    </message>
    <message>
        <source>project id (uuid)</source>
        <translation>Projekt-ID (UUID)</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>{count} byte</source>
        <translation>{count} Byte</translation>
    </message>
    <message>
        <source>{count} bytes</source>
        <translation>{count} Byte</translation>
    </message>
    <message>
        <source>no room left</source>
        <translation>kein Platz mehr</translation>
    </message>
    <message>
        <source>{size} free</source>
        <translation>{size} frei</translation>
    </message>
    <message>
        <source>The project could not be saved: the disk is full ({free}).</source>
        <translation>Das Projekt konnte nicht gespeichert werden: der Datenträger ist voll ({free}).</translation>
    </message>
    <message>
        <source>unexpected problem ({kind}: {detail})</source>
        <translation>unerwartetes Problem ({kind}: {detail})</translation>
    </message>
    <message>
        <source>unexpected problem ({kind})</source>
        <translation>unerwartetes Problem ({kind})</translation>
    </message>
    <message>
        <source>{problem} Your last edit was not made.</source>
        <translation>{problem} Ihre letzte Änderung wurde nicht ausgeführt.</translation>
    </message>
</context>
<context>
    <name>Formats</name>
    <message>
        <source>COCO instances and keypoints (JSON)</source>
        <translation>COCO-Instanzen und -Schlüsselpunkte (JSON)</translation>
    </message>
    <message>
        <source>CVAT for images 1.1 XML</source>
        <translation>CVAT für Bilder 1.1 (XML)</translation>
    </message>
    <message>
        <source>YOLO (data.yaml and labels)</source>
        <translation>YOLO (data.yaml und labels/)</translation>
    </message>
    <message>
        <source>YOLO detect</source>
        <translation>YOLO Erkennung</translation>
    </message>
    <message>
        <source>YOLO segment</source>
        <translation>YOLO Segmentierung</translation>
    </message>
    <message>
        <source>YOLO pose</source>
        <translation>YOLO Pose</translation>
    </message>
    <message>
        <source>YOLO obb</source>
        <translation>YOLO gedrehte Rechtecke</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>No status changes yet.</source>
        <translation>Noch keine Statusänderungen.</translation>
    </message>
</context>
<context>
    <name>ImageList</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>Alle Bilder</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>Alle Warteschlangen</translation>
    </message>
    <message>
        <source>Search names…</source>
        <translation>Namen suchen…</translation>
    </message>
</context>
<context>
    <name>ImportImages</name>
    <message>
        <source>Add images</source>
        <translation>Bilder hinzufügen</translation>
    </message>
    <message>
        <source>Images ({patterns});;All files (*)</source>
        <translation>Bilder ({patterns});;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Add a folder of images</source>
        <translation>Einen Bildordner hinzufügen</translation>
    </message>
    <message>
        <source>Import under way</source>
        <translation>Import läuft</translation>
    </message>
    <message>
        <source>Wait for the current import to finish.</source>
        <translation>Bitte warten, bis der laufende Import fertig ist.</translation>
    </message>
    <message>
        <source>Reading images…</source>
        <translation>Bilder werden gelesen…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Adding images</source>
        <translation>Bilder werden hinzugefügt</translation>
    </message>
    <message>
        <source>Could not add images</source>
        <translation>Bilder konnten nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>Reading {name}…</source>
        <translation>{name} wird gelesen…</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>… and {count} more (filter the list by “Unreadable”)</source>
        <translation>… und {count} weitere (die Liste nach „Unlesbar“ filtern)</translation>
    </message>
    <message>
        <source>Some files cannot be read</source>
        <translation>Einige Dateien können nicht gelesen werden</translation>
    </message>
</context>
<context>
    <name>LabelTransfer</name>
    <message>
        <source>Import annotations</source>
        <translation>Annotationen importieren</translation>
    </message>
    <message>
        <source>an annotation file, or a dataset folder</source>
        <translation>eine Annotationsdatei oder ein Datensatzordner</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>Datei…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Ordner…</translation>
    </message>
    <message>
        <source>Recognise it</source>
        <translation>Automatisch erkennen</translation>
    </message>
    <message>
        <source>Add the dataset&apos;s images the project does not have</source>
        <translation>Bilder des Datensatzes hinzufügen, die das Projekt noch nicht hat</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Annotation file</source>
        <translation>Annotationsdatei</translation>
    </message>
    <message>
        <source>Dataset folder</source>
        <translation>Datensatzordner</translation>
    </message>
    <message>
        <source>Read as the format chosen above.</source>
        <translation>Im oben gewählten Format gelesen.</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>Alle Bilder</translation>
    </message>
    <message>
        <source>Export annotations</source>
        <translation>Annotationen exportieren</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>In Ordner exportieren</translation>
    </message>
    <message>
        <source>Export to file</source>
        <translation>In Datei exportieren</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Recognised as {format}: {reason}</source>
        <translation>Erkannt als {format}: {reason}</translation>
    </message>
    <message>
        <source>Importing annotations</source>
        <translation>Annotationen werden importiert</translation>
    </message>
    <message>
        <source>Could not import annotations</source>
        <translation>Annotationen konnten nicht importiert werden</translation>
    </message>
    <message>
        <source>Exporting annotations</source>
        <translation>Annotationen werden exportiert</translation>
    </message>
    <message>
        <source>Could not export annotations</source>
        <translation>Annotationen konnten nicht exportiert werden</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Beschäftigt</translation>
    </message>
    <message>
        <source>Wait for the current import or export to finish.</source>
        <translation>Bitte warten, bis der laufende Import oder Export fertig ist.</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>Wird abgeschlossen…</translation>
    </message>
    <message>
        <source>Image {number} of {total}: {name}</source>
        <translation>Bild {number} von {total}: {name}</translation>
    </message>
    <message>
        <source>Image {number}: {name}</source>
        <translation>Bild {number}: {name}</translation>
    </message>
    <message>
        <source>Annotations found</source>
        <translation>Annotationen gefunden</translation>
    </message>
    <message>
        <source>The images came with annotations:
{listed}

Import them too?</source>
        <translation>Die Bilder kamen mit Annotationen:
{listed}

Auch diese importieren?</translation>
    </message>
    <message>
        <source>Not imported: {names}</source>
        <translation>Nicht importiert: {names}</translation>
    </message>
</context>
<context>
    <name>LossReport</name>
    <message>
        <source>Nothing was lost.</source>
        <translation>Nichts ging verloren.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <source>Annotations</source>
        <translation>Annotationen</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>Attribute</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Konflikte</translation>
    </message>
    <message>
        <source>Suggestions</source>
        <translation>Vorschläge</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Very large image</source>
        <translation>Sehr großes Bild</translation>
    </message>
    <message>
        <source>{name}: {reason}.

Open images this large in this project? limner shows them tile by tile; the choice is remembered for the project.</source>
        <translation>{name}: {reason}.

So große Bilder in diesem Projekt öffnen? limner zeigt sie Kachel für Kachel; die Wahl wird für das Projekt gespeichert.</translation>
    </message>
    <message>
        <source>Very large images allowed; {count} can now be opened</source>
        <translation>Sehr große Bilder erlaubt; {count} können jetzt geöffnet werden</translation>
    </message>
    <message>
        <source>{name} cannot be shown: {reason}</source>
        <translation>{name} kann nicht gezeigt werden: {reason}</translation>
    </message>
    <message>
        <source>{count} annotations selected.</source>
        <translation>{count} Annotationen ausgewählt.</translation>
    </message>
    <message>
        <source>Tool: {name}</source>
        <translation>Werkzeug: {name}</translation>
    </message>
    <message>
        <source>Last image</source>
        <translation>Letztes Bild</translation>
    </message>
    <message>
        <source>First image</source>
        <translation>Erstes Bild</translation>
    </message>
    <message>
        <source>Simplify polygons</source>
        <translation>Polygone vereinfachen</translation>
    </message>
    <message>
        <source>Tolerance in image pixels:</source>
        <translation>Toleranz in Bildpixeln:</translation>
    </message>
    <message>
        <source>Ellipses to polygons</source>
        <translation>Ellipsen in Polygone</translation>
    </message>
    <message>
        <source>Vertices per polygon:</source>
        <translation>Ecken je Polygon:</translation>
    </message>
    <message>
        <source>No image named {name} in this project</source>
        <translation>Kein Bild namens {name} in diesem Projekt</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>segmenter</source>
        <translation>Segmentierer</translation>
    </message>
    <message>
        <source>detector</source>
        <translation>Detektor</translation>
    </message>
    <message>
        <source>Encoder file</source>
        <translation>Encoder-Datei</translation>
    </message>
    <message>
        <source>Decoder file</source>
        <translation>Decoder-Datei</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>Modelldatei</translation>
    </message>
    <message>
        <source>Add from files</source>
        <translation>Aus Dateien hinzufügen</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Ausgewählte entfernen</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>or URL</source>
        <translation>oder URL</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX-Modelle (*.onnx)</translation>
    </message>
    <message>
        <source>Installed.</source>
        <translation>Installiert.</translation>
    </message>
    <message>
        <source>Downloads hold one file: choose the detector kind</source>
        <translation>Downloads enthalten eine Datei: bitte die Art Detektor wählen</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
</context>
<context>
    <name>NewProjectDialog</name>
    <message>
        <source>New project</source>
        <translation>Neues Projekt</translation>
    </message>
    <message>
        <source>a folder of images (may be left empty)</source>
        <translation>ein Bildordner (darf leer bleiben)</translation>
    </message>
    <message>
        <source>where the project is kept</source>
        <translation>wo das Projekt abgelegt wird</translation>
    </message>
    <message>
        <source>cat, dog, bird</source>
        <translation>Katze, Hund, Vogel</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Folder of images</source>
        <translation>Bildordner</translation>
    </message>
    <message>
        <source>Project folder</source>
        <translation>Projektordner</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>{path} is not a folder.</source>
        <translation>{path} ist kein Ordner.</translation>
    </message>
    <message>
        <source>Choose where the project is kept.</source>
        <translation>Bitte wählen, wo das Projekt abgelegt wird.</translation>
    </message>
    <message>
        <source>{path} holds a project already: open it instead.</source>
        <translation>{path} enthält bereits ein Projekt: bitte stattdessen öffnen.</translation>
    </message>
</context>
<context>
    <name>Preferences</name>
    <message>
        <source>Follow the system</source>
        <translation>Dem System folgen</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Wheel scrolls, Ctrl+wheel zooms</source>
        <translation>Mausrad rollt, Strg+Mausrad zoomt</translation>
    </message>
    <message>
        <source>Wheel zooms, Ctrl+wheel scrolls</source>
        <translation>Mausrad zoomt, Strg+Mausrad rollt</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>A new language shows the next time limner starts.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von limner.</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source> images</source>
        <translation> Bilder</translation>
    </message>
    <message>
        <source>your login name or LIMNER_USER</source>
        <translation>Ihr Anmeldename oder LIMNER_USER</translation>
    </message>
    <message>
        <source>Show names beside toolbar icons</source>
        <translation>Namen neben den Symbolen der Werkzeugleiste zeigen</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Farbschema</translation>
    </message>
    <message>
        <source>Mouse wheel</source>
        <translation>Mausrad</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>Abgleich alle</translation>
    </message>
    <message>
        <source>Read ahead</source>
        <translation>Vorauslesen</translation>
    </message>
    <message>
        <source>Tile cache on disk</source>
        <translation>Kachelspeicher auf dem Datenträger</translation>
    </message>
    <message>
        <source>Author name</source>
        <translation>Autorenname</translation>
    </message>
</context>
<context>
    <name>Progress</name>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>(niemand)</translation>
    </message>
    <message>
        <source>{who}: {rate} a day over {days}</source>
        <translation>{who}: {rate} pro Tag über {days}</translation>
    </message>
    <message>
        <source>Shapes per class</source>
        <translation>Formen je Klasse</translation>
    </message>
    <message>
        <source>Images per class</source>
        <translation>Bilder je Klasse</translation>
    </message>
    <message>
        <source>Status moves per day</source>
        <translation>Statuswechsel pro Tag</translation>
    </message>
    <message>
        <source>Images submitted per annotator</source>
        <translation>Abgegebene Bilder je Annotator</translation>
    </message>
    <message>
        <source>Nothing submitted yet.</source>
        <translation>Noch nichts abgegeben.</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <source>{images}, {approved} approved</source>
        <translation>{images}, {approved} freigegeben</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} Bild</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} Bilder</translation>
    </message>
    <message>
        <source>by annotator</source>
        <translation>nach Annotator</translation>
    </message>
    <message>
        <source>Export the charts</source>
        <translation>Die Diagramme exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
</context>
<context>
    <name>ProjectHome</name>
    <message>
        <source>Cannot open the project</source>
        <translation>Das Projekt kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>Öffnen nicht möglich</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} existiert nicht.</translation>
    </message>
    <message>
        <source>{path} is not a limner project.</source>
        <translation>{path} ist kein limner-Projekt.</translation>
    </message>
    <message>
        <source>Make a project?</source>
        <translation>Ein Projekt anlegen?</translation>
    </message>
    <message>
        <source>{path} is not a limner project yet.

Make a project of the images in it?</source>
        <translation>{path} ist noch kein limner-Projekt.

Aus den Bildern darin ein Projekt anlegen?</translation>
    </message>
    <message>
        <source>Cannot make the project</source>
        <translation>Das Projekt kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Open a project folder</source>
        <translation>Einen Projektordner öffnen</translation>
    </message>
    <message>
        <source>{path} holds no project any more. Remove it from the recent list?</source>
        <translation>{path} enthält kein Projekt mehr. Aus der Liste der zuletzt geöffneten entfernen?</translation>
    </message>
    <message>
        <source>Project missing</source>
        <translation>Projekt fehlt</translation>
    </message>
    <message>
        <source>An empty folder for the cloned project</source>
        <translation>Ein leerer Ordner für das geklonte Projekt</translation>
    </message>
    <message>
        <source>Cannot clone</source>
        <translation>Klonen nicht möglich</translation>
    </message>
    <message>
        <source>This project&apos;s tiles take {size} now.</source>
        <translation>Die Kacheln dieses Projekts belegen zurzeit {size}.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>Zwischenspeicher</translation>
    </message>
    <message>
        <source>This project</source>
        <translation>Dieses Projekt</translation>
    </message>
    <message>
        <source>No recent projects</source>
        <translation>Keine zuletzt geöffneten Projekte</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
</context>
<context>
    <name>Publish</name>
    <message>
        <source>pick the server project</source>
        <translation>bitte das Serverprojekt wählen</translation>
    </message>
    <message>
        <source>{sent} images sent, {already} already there, {refused} refused</source>
        <translation>{sent} Bilder gesendet, {already} schon vorhanden, {refused} abgewiesen</translation>
    </message>
    <message>
        <source>(cancelled: publish again to continue)</source>
        <translation>(abgebrochen: zum Fortsetzen erneut veröffentlichen)</translation>
    </message>
    <message>
        <source>Already there: {name} (matched by {rule})</source>
        <translation>Schon vorhanden: {name} (erkannt über {rule})</translation>
    </message>
    <message>
        <source>Refused: {name}: {reason}</source>
        <translation>Abgewiesen: {name}: {reason}</translation>
    </message>
    <message>
        <source>Publishing the project…</source>
        <translation>Das Projekt wird veröffentlicht…</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>Veröffentlichen</translation>
    </message>
    <message>
        <source>Publishing: {done} of {total} images</source>
        <translation>Veröffentlichen: {done} von {total} Bildern</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Veröffentlicht</translation>
    </message>
    <message>
        <source>Publish failed</source>
        <translation>Veröffentlichen fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>exported {images}, {shapes} to {out}; {losses}</source>
        <translation>exportiert: {images}, {shapes} nach {out}; {losses}</translation>
    </message>
    <message>
        <source>(cancelled)</source>
        <translation>(abgebrochen)</translation>
    </message>
    <message>
        <source>{shapes} on {images}</source>
        <translation>{shapes} auf {images}</translation>
    </message>
    <message>
        <source>{count} suggestion</source>
        <translation>{count} Vorschlag</translation>
    </message>
    <message>
        <source>{count} suggestions</source>
        <translation>{count} Vorschläge</translation>
    </message>
    <message>
        <source>{count} image added</source>
        <translation>{count} Bild hinzugefügt</translation>
    </message>
    <message>
        <source>{count} images added</source>
        <translation>{count} Bilder hinzugefügt</translation>
    </message>
    <message>
        <source>{count} class created</source>
        <translation>{count} Klasse angelegt</translation>
    </message>
    <message>
        <source>{count} classes created</source>
        <translation>{count} Klassen angelegt</translation>
    </message>
    <message>
        <source>{count} already in the project</source>
        <translation>{count} schon im Projekt</translation>
    </message>
    <message>
        <source>imported {parts}; {losses}</source>
        <translation>importiert: {parts}; {losses}</translation>
    </message>
    <message>
        <source>{format} annotations in {path} ({reason})</source>
        <translation>{format}-Annotationen in {path} ({reason})</translation>
    </message>
    <message>
        <source>{count} unreadable (listed with their reason)</source>
        <translation>{count} unlesbar (mit Grund aufgelistet)</translation>
    </message>
    <message>
        <source>{count} skipped (listed with their reason)</source>
        <translation>{count} übersprungen (mit Grund aufgelistet)</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} Bild</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} Bilder</translation>
    </message>
    <message>
        <source>{count} shape</source>
        <translation>{count} Form</translation>
    </message>
    <message>
        <source>{count} shapes</source>
        <translation>{count} Formen</translation>
    </message>
    <message>
        <source>{count} loss</source>
        <translation>{count} Verlust</translation>
    </message>
    <message>
        <source>{count} losses</source>
        <translation>{count} Verluste</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>No more unlabeled images</source>
        <translation>Keine unbeschrifteten Bilder mehr</translation>
    </message>
    <message>
        <source>No more rejected images</source>
        <translation>Keine abgelehnten Bilder mehr</translation>
    </message>
    <message>
        <source>No more submitted images</source>
        <translation>Keine abgegebenen Bilder mehr</translation>
    </message>
    <message>
        <source>Could not submit</source>
        <translation>Abgeben nicht möglich</translation>
    </message>
    <message>
        <source>Skip image</source>
        <translation>Bild überspringen</translation>
    </message>
    <message>
        <source>Why skip this image?</source>
        <translation>Warum dieses Bild überspringen?</translation>
    </message>
    <message>
        <source>Could not skip</source>
        <translation>Überspringen nicht möglich</translation>
    </message>
    <message>
        <source>Could not approve</source>
        <translation>Freigeben nicht möglich</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>What must change?</source>
        <translation>Was muss sich ändern?</translation>
    </message>
    <message>
        <source>A rejection needs a comment. What must change?</source>
        <translation>Eine Ablehnung braucht einen Kommentar. Was muss sich ändern?</translation>
    </message>
    <message>
        <source>Could not reject</source>
        <translation>Ablehnen nicht möglich</translation>
    </message>
    <message>
        <source>Could not add the remark</source>
        <translation>Die Anmerkung konnte nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>Remark kept in this project: the server cannot hold pinned remarks</source>
        <translation>Anmerkung in diesem Projekt behalten: der Server kann angeheftete Anmerkungen nicht speichern</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>Anmerkung</translation>
    </message>
    <message>
        <source>Remark for the annotator:</source>
        <translation>Anmerkung für den Annotator:</translation>
    </message>
    <message>
        <source>Rejected by {reviewer}: {comment}</source>
        <translation>Abgelehnt von {reviewer}: {comment}</translation>
    </message>
    <message>
        <source>{count} remark pinned on the image</source>
        <translation>{count} Anmerkung am Bild angeheftet</translation>
    </message>
    <message>
        <source>{count} remarks pinned on the image</source>
        <translation>{count} Anmerkungen am Bild angeheftet</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>Queue {name}</source>
        <translation>Warteschlange {name}</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} Bild</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} Bilder</translation>
    </message>
    <message>
        <source>{images}, {done} done</source>
        <translation>{images}, {done} fertig</translation>
    </message>
    <message>
        <source>Label images with boxes, polygons, masks and skeletons.</source>
        <translation>Bilder mit Rechtecken, Polygonen, Masken und Skeletten beschriften.</translation>
    </message>
    <message>
        <source>New project…</source>
        <translation>Neues Projekt…</translation>
    </message>
    <message>
        <source>Open project…</source>
        <translation>Projekt öffnen…</translation>
    </message>
    <message>
        <source>Clone from server…</source>
        <translation>Vom Server klonen…</translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation>Demo öffnen</translation>
    </message>
    <message>
        <source>No recent projects yet.</source>
        <translation>Noch keine zuletzt geöffneten Projekte.</translation>
    </message>
    <message>
        <source>Recent projects</source>
        <translation>Zuletzt geöffnete Projekte</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>Read-only: {reason}</source>
        <translation>Schreibgeschützt: {reason}</translation>
    </message>
    <message>
        <source>no image</source>
        <translation>kein Bild</translation>
    </message>
    <message>
        <source>value {value}</source>
        <translation>Wert {value}</translation>
    </message>
</context>
<context>
    <name>SuggestionPanel</name>
    <message>
        <source>Accept</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Accept ≥</source>
        <translation>Annehmen ≥</translation>
    </message>
    <message>
        <source>unlabeled</source>
        <translation>ohne Beschriftung</translation>
    </message>
    <message>
        <source>{count} suggestion open</source>
        <translation>{count} Vorschlag offen</translation>
    </message>
    <message>
        <source>{count} suggestions open</source>
        <translation>{count} Vorschläge offen</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>sync stopped unexpectedly</source>
        <translation>der Abgleich hielt unerwartet an</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Hochladen</translation>
    </message>
    <message>
        <source>Publishing</source>
        <translation>Veröffentlichen</translation>
    </message>
    <message>
        <source>This project has no server.</source>
        <translation>Dieses Projekt hat keinen Server.</translation>
    </message>
    <message>
        <source>local project</source>
        <translation>lokales Projekt</translation>
    </message>
    <message>
        <source>Downloading the project for offline work…</source>
        <translation>Das Projekt wird für die Offline-Arbeit heruntergeladen…</translation>
    </message>
    <message>
        <source>First sync</source>
        <translation>Erster Abgleich</translation>
    </message>
    <message>
        <source>{stage}: {done} of {total}</source>
        <translation>{stage}: {done} von {total}</translation>
    </message>
    <message>
        <source>Secure connection failed (TLS): {message}</source>
        <translation>Sichere Verbindung fehlgeschlagen (TLS): {message}</translation>
    </message>
    <message>
        <source>Fix the certificate or the server address, then F5 syncs again.</source>
        <translation>Das Zertifikat oder die Serveradresse korrigieren, dann gleicht F5 erneut ab.</translation>
    </message>
    <message>
        <source>Sync failed: {message}</source>
        <translation>Abgleich fehlgeschlagen: {message}</translation>
    </message>
    <message>
        <source>Sync failed.</source>
        <translation>Abgleich fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Next try in {delay}; F5 syncs now.</source>
        <translation>Nächster Versuch in {delay}; F5 gleicht sofort ab.</translation>
    </message>
    <message>
        <source>F5 syncs again.</source>
        <translation>F5 gleicht erneut ab.</translation>
    </message>
    <message>
        <source>No sync has run yet.</source>
        <translation>Es lief noch kein Abgleich.</translation>
    </message>
    <message>
        <source>State: {state}</source>
        <translation>Zustand: {state}</translation>
    </message>
    <message>
        <source>Last sync: {time}</source>
        <translation>Letzter Abgleich: {time}</translation>
    </message>
    <message>
        <source>Pending images: {pending}; conflicts: {conflicts}</source>
        <translation>Ausstehende Bilder: {pending}; Konflikte: {conflicts}</translation>
    </message>
    <message>
        <source>Sync details</source>
        <translation>Abgleich im Einzelnen</translation>
    </message>
    <message>
        <source>Could not resolve the conflict</source>
        <translation>Der Konflikt konnte nicht gelöst werden</translation>
    </message>
    <message>
        <source>Already connected</source>
        <translation>Schon verbunden</translation>
    </message>
    <message>
        <source>This project syncs with a server already.</source>
        <translation>Dieses Projekt gleicht bereits mit einem Server ab.</translation>
    </message>
    <message>
        <source>{count} s</source>
        <translation>{count} s</translation>
    </message>
    <message>
        <source>{count} min</source>
        <translation>{count} min</translation>
    </message>
    <message>
        <source>not synced yet</source>
        <translation>noch nicht abgeglichen</translation>
    </message>
    <message>
        <source>syncing…</source>
        <translation>wird abgeglichen…</translation>
    </message>
    <message>
        <source>up to date</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>sign-in needed</source>
        <translation>Anmeldung nötig</translation>
    </message>
    <message>
        <source>TLS problem</source>
        <translation>TLS-Problem</translation>
    </message>
    <message>
        <source>sync error</source>
        <translation>Abgleichfehler</translation>
    </message>
    <message>
        <source>sync cancelled</source>
        <translation>Abgleich abgebrochen</translation>
    </message>
    <message>
        <source>{count} pending</source>
        <translation>{count} ausstehend</translation>
    </message>
    <message>
        <source>{count} conflict</source>
        <translation>{count} Konflikt</translation>
    </message>
    <message>
        <source>{count} conflicts</source>
        <translation>{count} Konflikte</translation>
    </message>
    <message>
        <source>{count} not synced</source>
        <translation>{count} nicht abgeglichen</translation>
    </message>
    <message>
        <source>retrying in {delay}</source>
        <translation>neuer Versuch in {delay}</translation>
    </message>
    <message>
        <source>Click for sync details</source>
        <translation>Klicken für Einzelheiten zum Abgleich</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>Meine behalten</translation>
    </message>
    <message>
        <source>Take theirs</source>
        <translation>Ihre übernehmen</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Beide behalten</translation>
    </message>
    <message>
        <source>No conflicts.</source>
        <translation>Keine Konflikte.</translation>
    </message>
</context>
<context>
    <name>TagPanel</name>
    <message>
        <source>+ Tag class…</source>
        <translation>+ Tag-Klasse…</translation>
    </message>
    <message>
        <source>Add a class that tags the whole image</source>
        <translation>Eine Klasse hinzufügen, die das ganze Bild taggt</translation>
    </message>
    <message>
        <source>No tag classes yet: add one to tag whole images.</source>
        <translation>Noch keine Tag-Klassen: eine hinzufügen, um ganze Bilder zu taggen.</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Name, question and options of the tag class</source>
        <translation>Name, Frage und Optionen der Tag-Klasse</translation>
    </message>
</context>
<context>
    <name>TileLayer</name>
    <message>
        <source>decoding the image…</source>
        <translation>Bild wird dekodiert…</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>1 point</source>
        <translation>1 Punkt</translation>
    </message>
    <message>
        <source>{count} points</source>
        <translation>{count} Punkte</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Pinsel</translation>
    </message>
    <message>
        <source>{tool} {size} px   [ and ] resize</source>
        <translation>{tool} {size} px   [ und ] ändern die Größe</translation>
    </message>
    <message>
        <source>select a mask to erase from</source>
        <translation>eine Maske zum Radieren auswählen</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Radierer</translation>
    </message>
    <message>
        <source>GrabCut found no object in the box</source>
        <translation>GrabCut hat im Rechteck kein Objekt gefunden</translation>
    </message>
    <message>
        <source>pick a class with a skeleton to place keypoints (Edit… adds its points)</source>
        <translation>eine Klasse mit Skelett wählen, um Schlüsselpunkte zu setzen (Bearbeiten… fügt ihre Punkte hinzu)</translation>
    </message>
    <message>
        <source>every point was skipped, so nothing was added</source>
        <translation>jeder Punkt wurde übersprungen, daher wurde nichts hinzugefügt</translation>
    </message>
    <message>
        <source>label at least one point before finishing</source>
        <translation>vor dem Beenden mindestens einen Punkt setzen</translation>
    </message>
    <message>
        <source>next: {name} ({number}/{count}) · Shift+click occluded · X skip</source>
        <translation>nächster: {name} ({number}/{count}) · Umschalt+Klick verdeckt · X überspringen</translation>
    </message>
    <message>
        <source>Enter finish · Backspace undo point</source>
        <translation>Eingabe beendet · Rücktaste nimmt den Punkt zurück</translation>
    </message>
    <message>
        <source>click to place a point</source>
        <translation>klicken, um einen Punkt zu setzen</translation>
    </message>
    <message>
        <source>click the first point, double-click or Enter to close</source>
        <translation>zum Schließen den ersten Punkt anklicken, doppelklicken oder Eingabe drücken</translation>
    </message>
    <message>
        <source>hole in the selected polygon</source>
        <translation>Loch im ausgewählten Polygon</translation>
    </message>
    <message>
        <source>new part of the selected polygon</source>
        <translation>neuer Teil des ausgewählten Polygons</translation>
    </message>
    <message>
        <source>a polygon needs at least 3 distinct points, this one has {count}</source>
        <translation>ein Polygon braucht mindestens 3 verschiedene Punkte, dieses hat {count}</translation>
    </message>
    <message>
        <source>cannot close: {error}</source>
        <translation>Schließen nicht möglich: {error}</translation>
    </message>
    <message>
        <source>the polygon this ring was meant for is gone; press Esc</source>
        <translation>das Polygon, für das dieser Ring gedacht war, ist weg; Esc drücken</translation>
    </message>
    <message>
        <source>click to place the first point · with one polygon selected, Ctrl+click starts a hole, Shift+click a new part</source>
        <translation>klicken, um den ersten Punkt zu setzen · bei einem ausgewählten Polygon beginnt Strg+Klick ein Loch, Umschalt+Klick einen neuen Teil</translation>
    </message>
    <message>
        <source>double-click or Enter to finish · Backspace removes the last point</source>
        <translation>Doppelklick oder Eingabe beendet · Rücktaste entfernt den letzten Punkt</translation>
    </message>
    <message>
        <source>cannot finish: {error}</source>
        <translation>Beenden nicht möglich: {error}</translation>
    </message>
    <message>
        <source>click to place the first point</source>
        <translation>klicken, um den ersten Punkt zu setzen</translation>
    </message>
    <message>
        <source>click on an object&apos;s edge to start; the outline follows edges between clicks</source>
        <translation>zum Beginnen auf die Kante eines Objekts klicken; die Kontur folgt zwischen den Klicks den Kanten</translation>
    </message>
    <message>
        <source>click the first point, double-click or Enter to close · Backspace undoes a stretch</source>
        <translation>zum Schließen den ersten Punkt anklicken, doppelklicken oder Eingabe drücken · Rücktaste nimmt ein Stück zurück</translation>
    </message>
    <message>
        <source>an outline needs at least 3 distinct points</source>
        <translation>eine Kontur braucht mindestens 3 verschiedene Punkte</translation>
    </message>
    <message>
        <source>no segmentation model installed (Tools → Models… adds one)</source>
        <translation>kein Segmentierungsmodell installiert (Werkzeuge → Modelle… fügt eines hinzu)</translation>
    </message>
    <message>
        <source>click the object (Alt+click: not this), or drag a box · Tab: keep as polygon</source>
        <translation>das Objekt anklicken (Alt+Klick: nicht dies) oder ein Rechteck aufziehen · Tab: als Polygon behalten</translation>
    </message>
    <message>
        <source>click the object (Alt+click: not this), or drag a box · Tab: keep as mask</source>
        <translation>das Objekt anklicken (Alt+Klick: nicht dies) oder ein Rechteck aufziehen · Tab: als Maske behalten</translation>
    </message>
    <message>
        <source>{points} · Enter keeps the polygon · Backspace undoes</source>
        <translation>{points} · Eingabe behält das Polygon · Rücktaste nimmt zurück</translation>
    </message>
    <message>
        <source>{points} · Enter keeps the mask · Backspace undoes</source>
        <translation>{points} · Eingabe behält die Maske · Rücktaste nimmt zurück</translation>
    </message>
    <message>
        <source>the model is still reading this image; the mask follows when it is done</source>
        <translation>das Modell liest dieses Bild noch; die Maske folgt, sobald es fertig ist</translation>
    </message>
    <message>
        <source>the image&apos;s encoding was stopped; click again</source>
        <translation>die Kodierung des Bildes wurde angehalten; bitte noch einmal klicken</translation>
    </message>
    <message>
        <source>this image cannot be segmented (unreadable, or too large to decode whole)</source>
        <translation>dieses Bild kann nicht segmentiert werden (unlesbar oder zu groß, um es ganz zu dekodieren)</translation>
    </message>
    <message>
        <source>the model found nothing here; add or move a point</source>
        <translation>das Modell hat hier nichts gefunden; einen Punkt hinzufügen oder verschieben</translation>
    </message>
    <message>
        <source>cannot insert a vertex: {error}</source>
        <translation>Ecke kann nicht eingefügt werden: {error}</translation>
    </message>
    <message>
        <source>Tolerance {tolerance}   [ and ] change it   Shift adds, Alt subtracts</source>
        <translation>Toleranz {tolerance}   [ und ] ändern sie   Umschalt fügt hinzu, Alt zieht ab</translation>
    </message>
</context>
<context>
    <name>WindowLayout</name>
    <message>
        <source>&amp;Panels</source>
        <translation>&amp;Fenster</translation>
    </message>
    <message>
        <source>{name} toolbar</source>
        <translation>Werkzeugleiste {name}</translation>
    </message>
</context>
<context>
    <name>WindowLevel</name>
    <message>
        <source>Window/level applies to 16-bit and float images</source>
        <translation>Fenster/Pegel gilt für 16-Bit- und Gleitkommabilder</translation>
    </message>
    <message>
        <source>Window / level</source>
        <translation>Fenster / Pegel</translation>
    </message>
    <message>
        <source>Auto (0.5–99.5 percentiles)</source>
        <translation>Automatisch (Perzentile 0,5–99,5)</translation>
    </message>
    <message>
        <source>Black at</source>
        <translation>Schwarz bei</translation>
    </message>
    <message>
        <source>White at</source>
        <translation>Weiß bei</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in Arbeit</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>abgegeben</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>freigegeben</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>unlesbar</translation>
    </message>
    <message>
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <source>box</source>
        <translation>Rechteck</translation>
    </message>
    <message>
        <source>rotated box</source>
        <translation>gedrehtes Rechteck</translation>
    </message>
    <message>
        <source>polygon</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>keypoints</source>
        <translation>Schlüsselpunkte</translation>
    </message>
    <message>
        <source>skeleton</source>
        <translation>Skelett</translation>
    </message>
    <message>
        <source>polyline</source>
        <translation>Linienzug</translation>
    </message>
    <message>
        <source>point</source>
        <translation>Punkt</translation>
    </message>
    <message>
        <source>ellipse</source>
        <translation>Ellipse</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>annotate</source>
        <translation>annotieren</translation>
    </message>
    <message>
        <source>review</source>
        <translation>prüfen</translation>
    </message>
    <message>
        <source>one choice</source>
        <translation>eine Auswahl</translation>
    </message>
    <message>
        <source>several choices</source>
        <translation>mehrere Auswahlen</translation>
    </message>
    <message>
        <source>free text</source>
        <translation>freier Text</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>eine Zahl</translation>
    </message>
</context>
</TS>
