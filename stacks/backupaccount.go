package stacks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// BackupPassword is the backup account's password, derived from the root
// password (HMAC-SHA256, hex): no config key to set and rotate, it changes
// with root's, and knowing it reveals nothing of root's.
func BackupPassword(root Secret) Secret {
	mac := hmac.New(sha256.New, []byte(root.Reveal()))
	mac.Write([]byte("unlimited-translation mysql backup account"))
	return NewSecret(hex.EncodeToString(mac.Sum(nil)))
}
