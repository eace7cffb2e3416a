"""Parallel customer-feedback sentences (en/ru/zh/pl) for cross-lingual retrieval checks.

Written for vocmine (public domain). Row i is the same statement in four
languages; a good multilingual embedder finds row i of language B as the
nearest neighbour of row i of language A.
"""

from __future__ import annotations

#: (en, ru, zh, pl)
PARALLEL: tuple[tuple[str, str, str, str], ...] = (
    (
        'My order arrived a week late.',
        'Мой заказ пришёл на неделю позже.',
        '我的订单晚到了一个星期。',
        'Moje zamówienie przyszło z tygodniowym opóźnieniem.',
    ),
    (
        'The courier was very polite.',
        'Курьер был очень вежлив.',
        '快递员非常有礼貌。',
        'Kurier był bardzo uprzejmy.',
    ),
    (
        'I was charged twice for one purchase.',
        'С меня дважды списали деньги за одну покупку.',
        '一次购买被扣了两次款。',
        'Za jeden zakup pobrano ode mnie pieniądze dwa razy.',
    ),
    (
        'The app crashes every time I open it.',
        'Приложение вылетает каждый раз, когда я его открываю.',
        '每次打开应用都会闪退。',
        'Aplikacja zawiesza się za każdym razem, gdy ją otwieram.',
    ),
    (
        'Customer support never answered my email.',
        'Служба поддержки так и не ответила на моё письмо.',
        '客服一直没有回复我的邮件。',
        'Obsługa klienta nigdy nie odpowiedziała na mojego maila.',
    ),
    (
        'The room was clean and quiet.',
        'Номер был чистым и тихим.',
        '房间干净又安静。',
        'Pokój był czysty i cichy.',
    ),
    (
        'The food was cold when it arrived.',
        'Еда была холодной, когда её привезли.',
        '送到的时候饭菜已经凉了。',
        'Jedzenie było zimne, kiedy dotarło.',
    ),
    (
        'I want a refund for the broken headphones.',
        'Я хочу вернуть деньги за сломанные наушники.',
        '耳机坏了，我要求退款。',
        'Chcę zwrotu pieniędzy za zepsute słuchawki.',
    ),
    (
        'The price is too high for this quality.',
        'Цена слишком высокая для такого качества.',
        '这个质量价格太高了。',
        'Cena jest za wysoka jak na tę jakość.',
    ),
    (
        'Delivery was fast and the packaging was good.',
        'Доставка была быстрой, упаковка хорошей.',
        '送货很快，包装也很好。',
        'Dostawa była szybka, a opakowanie dobre.',
    ),
    (
        'The battery drains in two hours.',
        'Батарея садится за два часа.',
        '电池两个小时就没电了。',
        'Bateria rozładowuje się w dwie godziny.',
    ),
    (
        'The waiter forgot our order.',
        'Официант забыл про наш заказ.',
        '服务员忘了我们点的菜。',
        'Kelner zapomniał o naszym zamówieniu.',
    ),
    (
        'I cannot log in to my account.',
        'Я не могу войти в свой аккаунт.',
        '我无法登录我的账户。',
        'Nie mogę zalogować się na swoje konto.',
    ),
    (
        'The hotel staff helped us with a taxi.',
        'Персонал отеля помог нам вызвать такси.',
        '酒店员工帮我们叫了出租车。',
        'Personel hotelu pomógł nam zamówić taksówkę.',
    ),
    (
        'The screen scratched after one day.',
        'Экран поцарапался через один день.',
        '屏幕用了一天就划花了。',
        'Ekran porysował się po jednym dniu.',
    ),
    (
        'My card was blocked without any warning.',
        'Мою карту заблокировали без всякого предупреждения.',
        '我的卡在没有任何通知的情况下被冻结了。',
        'Moja karta została zablokowana bez żadnego ostrzeżenia.',
    ),
    (
        'The size is smaller than described.',
        'Размер меньше, чем указано в описании.',
        '尺码比描述的要小。',
        'Rozmiar jest mniejszy niż w opisie.',
    ),
    (
        'We waited forty minutes for a table.',
        'Мы ждали столик сорок минут.',
        '我们等位等了四十分钟。',
        'Czekaliśmy na stolik czterdzieści minut.',
    ),
    (
        'The new update made everything slower.',
        'После нового обновления всё стало медленнее.',
        '新版本更新后一切都变慢了。',
        'Nowa aktualizacja wszystko spowolniła.',
    ),
    (
        'The manager solved my problem quickly.',
        'Менеджер быстро решил мою проблему.',
        '经理很快解决了我的问题。',
        'Kierownik szybko rozwiązał mój problem.',
    ),
    (
        'The parcel was damaged during shipping.',
        'Посылка была повреждена при доставке.',
        '包裹在运输过程中损坏了。',
        'Paczka została uszkodzona podczas transportu.',
    ),
    (
        'Breakfast was included and very tasty.',
        'Завтрак был включён и очень вкусный.',
        '含早餐，而且很好吃。',
        'Śniadanie było wliczone w cenę i bardzo smaczne.',
    ),
    (
        'The website does not accept my payment.',
        'Сайт не принимает мой платёж.',
        '网站无法完成我的付款。',
        'Strona nie przyjmuje mojej płatności.',
    ),
    (
        'The shoes fell apart after a month.',
        'Обувь развалилась через месяц.',
        '鞋子穿了一个月就坏了。',
        'Buty rozpadły się po miesiącu.',
    ),
    (
        'Nobody called me back as promised.',
        'Мне никто не перезвонил, как обещали.',
        '说好给我回电话，结果没人打。',
        'Nikt do mnie nie oddzwonił, chociaż obiecano.',
    ),
    (
        'The air conditioner in the room was broken.',
        'Кондиционер в номере был сломан.',
        '房间里的空调坏了。',
        'Klimatyzacja w pokoju była zepsuta.',
    ),
    (
        'I love the design of this phone.',
        'Мне очень нравится дизайн этого телефона.',
        '我很喜欢这款手机的设计。',
        'Uwielbiam wygląd tego telefonu.',
    ),
    (
        'The instructions were hard to understand.',
        'Инструкция была сложной для понимания.',
        '说明书很难看懂。',
        'Instrukcja była trudna do zrozumienia.',
    ),
    (
        'They delivered the wrong colour.',
        'Мне привезли не тот цвет.',
        '送来的颜色不对。',
        'Dostarczono niewłaściwy kolor.',
    ),
    (
        'The music in the restaurant was too loud.',
        'Музыка в ресторане была слишком громкой.',
        '餐厅里的音乐太吵了。',
        'Muzyka w restauracji była za głośna.',
    ),
    (
        'My internet connection drops every evening.',
        'Мой интернет пропадает каждый вечер.',
        '我家的网络每天晚上都会断。',
        'Moje połączenie z internetem zrywa się każdego wieczoru.',
    ),
    (
        'The bank raised the fees without notice.',
        'Банк повысил комиссии без уведомления.',
        '银行没有通知就提高了手续费。',
        'Bank podniósł opłaty bez powiadomienia.',
    ),
    (
        'The seller answered all my questions.',
        'Продавец ответил на все мои вопросы.',
        '卖家回答了我所有的问题。',
        'Sprzedawca odpowiedział na wszystkie moje pytania.',
    ),
    (
        'The train was cancelled and no one informed us.',
        'Поезд отменили, и нам никто не сообщил.',
        '火车取消了，却没有人通知我们。',
        'Pociąg odwołano i nikt nas nie poinformował.',
    ),
    (
        'The coffee machine leaks water.',
        'Кофемашина протекает.',
        '咖啡机漏水。',
        'Ekspres do kawy przecieka.',
    ),
    (
        'The gym is always overcrowded in the evening.',
        'Вечером в спортзале всегда слишком много людей.',
        '健身房晚上总是人太多。',
        'Wieczorem na siłowni zawsze jest tłok.',
    ),
    (
        'I received my money back within three days.',
        'Деньги мне вернули в течение трёх дней.',
        '三天之内就收到了退款。',
        'Pieniądze otrzymałem z powrotem w ciągu trzech dni.',
    ),
    (
        'The laptop gets very hot while charging.',
        'Ноутбук сильно нагревается во время зарядки.',
        '笔记本电脑充电时非常烫。',
        'Laptop bardzo się nagrzewa podczas ładowania.',
    ),
    (
        'The flight attendants were friendly.',
        'Бортпроводники были дружелюбными.',
        '空乘人员很友好。',
        'Stewardesy były przyjazne.',
    ),
    (
        'The discount code did not work at checkout.',
        'Промокод не сработал при оформлении заказа.',
        '结账时优惠码用不了。',
        'Kod rabatowy nie zadziałał przy składaniu zamówienia.',
    ),
)

LANGS = ("en", "ru", "zh", "pl")
