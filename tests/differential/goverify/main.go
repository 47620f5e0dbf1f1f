// goverify: an auditor's check with Go's golang.org/x/mod/sumdb/note and
// tlog, which share no code with dx: it reads dx-audit query --with-proofs
// --format json on stdin and takes the verifier key (dx-audit head --vkey).
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type rec struct {
	Seq      int64    `json:"seq"`
	TreeSize int64    `json:"tree_size"`
	Proof    []string `json:"proof"`
	Leaf     string   `json:"leaf"`
	Head     string   `json:"head"`
}

func main() {
	v, err := note.NewVerifier(strings.TrimSpace(os.Args[1]))
	if err != nil {
		fmt.Println("verifier:", err)
		os.Exit(1)
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		var r rec
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			fmt.Println("json:", err)
			os.Exit(1)
		}
		head := r.Head
		if !strings.HasSuffix(head, "\n") {
			head += "\n"
		}
		msg, err := note.Open([]byte(head), note.VerifierList(v))
		if err != nil {
			fmt.Println("note.Open:", err)
			os.Exit(1)
		}
		lines := strings.Split(msg.Text, "\n")
		size, _ := strconv.ParseInt(lines[1], 10, 64)
		rootb, _ := base64.StdEncoding.DecodeString(lines[2])
		var root tlog.Hash
		copy(root[:], rootb)
		leaf, _ := base64.StdEncoding.DecodeString(r.Leaf)
		var proof tlog.RecordProof
		for _, h := range r.Proof {
			b, _ := hex.DecodeString(h)
			var x tlog.Hash
			copy(x[:], b)
			proof = append(proof, x)
		}
		if err := tlog.CheckRecord(proof, size, root, r.Seq-1, tlog.RecordHash(leaf)); err != nil {
			fmt.Println("tlog.CheckRecord:", r.Seq, err)
			os.Exit(1)
		}
		n++
	}
	fmt.Printf("%d records verified with Go's note and tlog\n", n)
}
