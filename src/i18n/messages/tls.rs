//! What `grade/tls.rs` says about a TLS handshake, passed or not: the feedback teaches the
//! handshake.

use crate::i18n::catalogue::{messages, words};
use crate::i18n::{List, Text};

words! {
    /// Stand-ins for what a capture does not show.
    pub enum TlsWord {
        WebmailHost => "the webmail host", "网页邮箱服务器";
        UnknownSuite => "an unknown suite", "未知的密码套件";
        Unknown => "unknown", "未知";
        Unreadable => "(unreadable)", "（无法读取）";
    }
}

words! {
    /// The order a handshake's messages come in, by kind of handshake.
    pub enum HandshakeOrder {
        Tls13 =>
            "ClientHello → ServerHello → (encrypted server handshake) → client Finished",
            "ClientHello → ServerHello →（加密的服务器握手消息）→ 客户端 Finished";
        Resumed =>
            "ClientHello → ServerHello → ChangeCipherSpec, Finished (server) → ChangeCipherSpec, Finished (client)",
            "ClientHello → ServerHello → ChangeCipherSpec、Finished（服务器）→ ChangeCipherSpec、Finished（客户端）";
        Full =>
            "ClientHello → ServerHello, Certificate, ServerKeyExchange, ServerHelloDone → ClientKeyExchange, ChangeCipherSpec, Finished → ChangeCipherSpec, Finished",
            "ClientHello → ServerHello、Certificate、ServerKeyExchange、ServerHelloDone → ClientKeyExchange、ChangeCipherSpec、Finished → ChangeCipherSpec、Finished";
    }
}

messages! {
    /// One message per thing a handshake check can find. `{at}` is where in the capture.
    pub enum TlsFeedback {
        StepHandshakeMissing =>
            "The TLS handshake after the command is not in the submission (a transcript, or a capture that ends first): it could not be checked.",
            "提交中没有该命令之后的 TLS 握手（文字记录，或抓包在握手前结束），无法检查。";
        ClientHello { at: String, offered: List<String> } =>
            "The client opens the handshake with Client Hello ({at}), offering {offered}.",
            "客户端以 Client Hello 开始握手（{at}），提供的版本：{offered}。";
        NoClientHello =>
            "The capture has no Client Hello: it started after the handshake. Start Wireshark before you open the webmail page (or close the browser first) so the handshake is captured.",
            "抓包中没有 Client Hello：抓包开始时握手已经结束。请先启动 Wireshark 再打开网页邮箱（或先关闭浏览器），以便抓到握手。";
        SniMatches { name: String, host: Text } =>
            "The client names the server {name} in the Server Name Indication extension, so this is the handshake with {host}.",
            "客户端在 SNI（服务器名称指示）扩展中指明服务器 {name}，这正是与 {host} 的握手。";
        SniOther { name: String, host: Text } =>
            "This handshake is with {name}, not {host}: capture the login to {host}.",
            "这次握手的对象是 {name}，不是 {host}：请抓取登录 {host} 的过程。";
        NoSni { host: Text } =>
            "The Client Hello names no server (no SNI), so it cannot be told to be {host}.",
            "Client Hello 中没有服务器名称（无 SNI），无法确认是 {host}。";
        ServerHello { at: String, version: String, suite: Text } =>
            "The server answers with Server Hello ({at}), choosing {version} and the cipher suite {suite}.",
            "服务器以 Server Hello 回应（{at}），选定 {version} 和密码套件 {suite}。";
        NoServerHello =>
            "The server's Server Hello is not in the capture, so the version and cipher suite it chose are unknown.",
            "抓包中没有服务器的 Server Hello，无法得知其选定的版本和密码套件。";
        KeyExchangeTls13 =>
            "TLS 1.3 has no Server Key Exchange or Client Key Exchange message: the (EC)DHE key shares travel in the key_share extensions of Client Hello and Server Hello.",
            "TLS 1.3 没有 Server Key Exchange 和 Client Key Exchange 消息：(EC)DHE 密钥份额放在 Client Hello 和 Server Hello 的 key_share 扩展中传递。";
        KeyExchange { kx: Text, server_at: String, client_at: String } =>
            "Key exchange {kx}: the server sends its key share in Server Key Exchange ({server_at}), the client its own in Client Key Exchange ({client_at}).",
            "密钥交换方式 {kx}：服务器在 Server Key Exchange（{server_at}）中发送其密钥参数，客户端在 Client Key Exchange（{client_at}）中发送自己的。";
        KeyExchangeByClient { kx: Text, client_at: String } =>
            "Key exchange {kx}: there is no Server Key Exchange; the client sends the premaster secret encrypted with the server's public key in Client Key Exchange ({client_at}).",
            "密钥交换方式 {kx}：没有 Server Key Exchange；客户端在 Client Key Exchange（{client_at}）中用服务器公钥加密发送预主密钥。";
        KeyExchangeIncomplete { kx: Text } =>
            "The key exchange ({kx}) is not complete in the capture: Server Key Exchange and/or Client Key Exchange is missing.",
            "抓包中的密钥交换（{kx}）不完整：缺少 Server Key Exchange 或 Client Key Exchange。";
        CertificateTls13 =>
            "In TLS 1.3 the server's Certificate is encrypted (with EncryptedExtensions, CertificateVerify and Finished), so Wireshark shows it only as encrypted records; that is expected.",
            "TLS 1.3 中服务器的 Certificate 是加密发送的（与 EncryptedExtensions、CertificateVerify、Finished 一起），Wireshark 只显示为加密记录，这是正常的。";
        Certificate { at: String, subject: Text, issuer: Text } =>
            "The server proves its identity with its Certificate ({at}): subject {subject}, issued by {issuer}.",
            "服务器用 Certificate（{at}）证明身份：主体 {subject}，签发者 {issuer}。";
        NoCertificate =>
            "The server's Certificate is not in the capture.",
            "抓包中没有服务器的 Certificate。";
        NoHandshakeMessages =>
            "No handshake messages are in the capture.",
            "抓包中没有握手消息。";
        TooEarly { name: String, at: String, version: String, order: HandshakeOrder } =>
            "{name} ({at}) comes too early: a {version} handshake runs {order}.",
            "{name}（{at}）出现得太早：{version} 握手的顺序是 {order}。";
        LegalOrder { version: String, shown: String } =>
            "The {version} handshake runs in a legal order: {shown}.",
            "{version} 握手的消息顺序正确：{shown}。";
        Tls13HidesTheRest =>
            "In TLS 1.3 everything after Server Hello is encrypted, so EncryptedExtensions, Certificate, CertificateVerify and both Finished messages show only as encrypted records.",
            "TLS 1.3 中 Server Hello 之后的内容全部加密，EncryptedExtensions、Certificate、CertificateVerify 和双方的 Finished 只显示为加密记录。";
        CompletedTls13 =>
            "The handshake completed: the client sent its (encrypted) Finished and the connection went on with encrypted application data.",
            "握手已完成：客户端发送了（加密的）Finished，之后连接继续传输加密的应用数据。";
        Completed =>
            "The handshake completed: both sides sent Change Cipher Spec and then an encrypted Finished (shown as \"Encrypted Handshake Message\"); from here on the session keys protect the data.",
            "握手已完成：双方都发送了 Change Cipher Spec 和随后加密的 Finished（Wireshark 显示为 \"Encrypted Handshake Message\"）；此后数据由会话密钥保护。";
        NotCompleted =>
            "The handshake did not complete in the capture: Finished was not seen from both sides.",
            "抓包中的握手没有完成：没有看到双方的 Finished。";
        EndedWithAlert { detail: String } =>
            "The connection ended with an alert: {detail}.",
            "连接以告警结束：{detail}。";
        Renegotiated { renewals: usize } =>
            "{renewals} encrypted handshake record(s) after the first handshake show a renegotiation or key renewal.",
            "首次握手之后还有 {renewals} 个加密握手记录，表明发生了重新协商或密钥更新。";
        KeyRenewalLooksLikeData =>
            "A later key renewal (TLS 1.3 KeyUpdate) would itself be encrypted and look like more application data.",
            "之后的密钥更新（TLS 1.3 的 KeyUpdate）本身也是加密的，看起来就是更多的应用数据。";
        DataBothWays { client: u64, server: u64 } =>
            "After the handshake, application data flows encrypted both ways: {client} records from the client, {server} from the server (the HTTP login inside cannot be read).",
            "握手之后，应用数据双向加密传输：客户端 {client} 条记录，服务器 {server} 条（其中的 HTTP 登录内容无法读取）。";
        DataNotBothWays { client: u64, server: u64 } =>
            "Application data did not flow both ways after the handshake ({client} records from the client, {server} from the server).",
            "握手之后应用数据没有双向传输（客户端 {client} 条记录，服务器 {server} 条）。";
    }
}
