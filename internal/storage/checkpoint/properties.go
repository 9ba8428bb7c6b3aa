package checkpoint

import (
	"strings"
	"time"

	"github.com/gofka/gofka/internal/javaprops"
)

// javaDateLayout is java.util.Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy".
const javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"

// property is one key=value pair of a Java .properties file.
type property struct{ key, value string }

// encodeProperties writes props the way Kafka's PropertiesUtils does,
// Properties.store(writer, ""): an empty "#" comment line, a "#<date>" line,
// then "key=value" lines in the order given, escaped as Properties.store
// escapes them.
func encodeProperties(props []property, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("#\n#" + now.Format(javaDateLayout) + "\n")
	for _, p := range props {
		b.WriteString(javaprops.Escape(p.key, true) + "=" + javaprops.Escape(p.value, false) + "\n")
	}
	return []byte(b.String())
}

// javaPropertiesBins is the table size of a new java.util.Properties'
// ConcurrentHashMap (initial capacity 8), which stays 16 up to 12 keys.
const javaPropertiesBins = 16

// javaStoreOrder sorts props into the order Properties.store writes them on
// the Java 17 runtime Kafka runs on: the iteration order of the backing
// ConcurrentHashMap, by hash bin, then by insertion within a bin. For
// meta.properties v1 that is node.id, directory.id, version, cluster.id.
// (Java 18+ sorts keys instead; readers accept any order.)
func javaStoreOrder(props []property) []property {
	out := make([]property, 0, len(props))
	for bin := range javaPropertiesBins {
		for _, p := range props {
			if javaSpreadHash(p.key)%javaPropertiesBins == bin {
				out = append(out, p)
			}
		}
	}
	return out
}

// javaSpreadHash is ConcurrentHashMap.spread(key.hashCode()) for a key of
// Latin-1 characters, as meta.properties keys are.
func javaSpreadHash(s string) int {
	var h int32
	for i := 0; i < len(s); i++ {
		h = 31*h + int32(s[i])
	}
	u := uint32(h)
	return int((u ^ u>>16) & 0x7fffffff)
}
